// Every feature's org settings section, as in every process (else PATCH /v1/org's body lacks some).
import '../app/settings-sections.ts';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { allRoutes } from '../api/routes/index.ts';
import { buildOpenApi, registerOperation } from '../api/http/openapi.ts';

/**
 * Generates sdk/src/generated.ts from the API's own route declarations (the same JSON Schemas
 * that validate requests and make /v1/openapi.json): one entry per operation with its method,
 * path, scope and resource method name, and TypeScript types for its path parameters, query,
 * body and response. `sdk/generated.test.ts` fails when the committed file and the API disagree.
 *
 *   npm run sdk:generate
 */
export const GENERATED = path.join(path.dirname(fileURLToPath(import.meta.url)), 'src/generated.ts');

type Schema = Record<string, any> | boolean | undefined;

/** A JSON Schema as a TypeScript type (the subset our route schemas use). */
export function tsType(s: Schema, indent = ''): string {
  if (s === undefined || s === true || (typeof s === 'object' && !Object.keys(s).length)) return 'unknown';
  if (s === false) return 'never';
  if ('const' in s) return JSON.stringify(s.const);
  if (Array.isArray(s.enum)) return s.enum.map((v: unknown) => JSON.stringify(v)).join(' | ');
  const union = s.oneOf ?? s.anyOf;
  if (union) return union.map((u: Schema) => paren(tsType({ ...strip(s), ...(u as object) }, indent))).join(' | ');
  if (s.allOf) return s.allOf.map((u: Schema) => paren(tsType(u, indent))).join(' & ');
  const types: string[] = Array.isArray(s.type) ? s.type : s.type ? [s.type] : s.properties ? ['object'] : [];
  if (!types.length) return 'unknown';
  return types.map((t) => paren(single(t, s as Record<string, any>, indent))).join(' | ');
}
const strip = (s: Record<string, any>) => Object.fromEntries(Object.entries(s).filter(([k]) => !['oneOf', 'anyOf', 'description', 'examples'].includes(k)));
const paren = (t: string) => (/[|&]/.test(t) && !/^\{[\s\S]*\}$/.test(t) ? `(${t})` : t);

function single(t: string, s: Record<string, any>, indent: string): string {
  switch (t) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return `Array<${tsType(s.items, indent)}>`;
    case 'object': {
      const props = Object.entries(s.properties ?? {});
      const required = new Set<string>(s.required ?? []);
      const inner = indent + '  ';
      const lines = props.map(([k, v]) => `${inner}${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}${required.has(k) ? '' : '?'}: ${tsType(v as Schema, inner)};`);
      const extra = s.additionalProperties;
      if (extra !== undefined && extra !== false) lines.push(`${inner}[key: string]: ${extra === true ? 'unknown' : props.length ? 'unknown' : tsType(extra, inner)};`);
      else if (!props.length && extra === undefined) return 'Record<string, unknown>';
      return lines.length ? `{\n${lines.join('\n')}\n${indent}}` : 'Record<string, never>';
    }
    default:
      return 'unknown';
  }
}

const camel = (s: string) => s.replace(/[-_](\w)/g, (_, c: string) => c.toUpperCase());
const pascal = (s: string) => camel(s).replace(/^\w/, (c) => c.toUpperCase());

/** `/v1/subscriptions/{id}/rotate-secret` + post → resource `subscriptions`, method `rotateSecret`. */
function naming(method: string, p: string, isCollection: boolean): { resource: string; name: string } {
  const segs = p.split('/').filter(Boolean).slice(1); // drop "v1"
  const resource = camel(segs[0] ?? 'root');
  const rest = segs.slice(1);
  const statics = rest.filter((x) => !x.startsWith('{'));
  const endsWithParam = rest.length > 0 && rest[rest.length - 1].startsWith('{');
  if (!statics.length) {
    const base: Record<string, string> = { get: !endsWithParam && isCollection ? 'list' : 'get', post: 'create', patch: 'update', put: 'replace', delete: 'delete' };
    return { resource, name: base[method] };
  }
  const tail = statics.map(pascal).join('');
  if (method === 'get') return { resource, name: (isCollection && !endsWithParam ? 'list' : 'get') + tail };
  if (method === 'post') return { resource, name: camel(statics.join('-')) };
  return { resource, name: ({ patch: 'update', put: 'replace', delete: 'delete' } as Record<string, string>)[method] + tail };
}

export function generate(): string {
  for (const r of allRoutes()) registerOperation(r);
  const doc = buildOpenApi('');
  const entries: string[] = [];
  const types: string[] = [];
  const taken = new Set<string>();
  for (const [p, byMethod] of Object.entries<any>(doc.paths).sort(([a], [b]) => a.localeCompare(b))) {
    for (const [method, op] of Object.entries<any>(byMethod)) {
      // Provider webhooks and the document itself are not an app's API.
      if (p.startsWith('/v1/receive/') || p === '/v1/openapi.json') continue;
      const params = [...p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const query = op.parameters.filter((x: any) => x.in === 'query');
      const body = op.requestBody?.content['application/json'].schema;
      const status = Object.keys(op.responses).find((k) => k !== 'default')!;
      const response = op.responses[status].content['application/json'].schema;
      const isList = !!response?.properties?.data && response.properties.data.type === 'array' && 'nextCursor' in (response.properties ?? {});
      const isCollection = isList || response?.type === 'array' || response?.properties?.data?.type === 'array';
      let { resource, name } = naming(method, p, isCollection);
      if (taken.has(`${resource}.${name}`)) name = op.operationId;
      taken.add(`${resource}.${name}`);
      const id = op.operationId;
      const queryType = query.length
        ? `{\n${query.map((q: any) => `    ${JSON.stringify(q.name.replace(/\[key\]$/, ''))}${q.required ? '' : '?'}: ${q.style === 'deepObject' ? 'Record<string, string>' : tsType(q.schema, '    ')};`).join('\n')}\n  }`
        : 'never';
      types.push(
        `  ${JSON.stringify(id)}: {\n    params: ${params.length ? `{ ${params.map((x) => `${x}: string`).join('; ')} }` : 'never'};\n    query: ${queryType.replace(/\n/g, '\n  ')};\n    body: ${body ? tsType(body, '    ') : 'never'};\n    response: ${tsType(response, '    ')};\n  };`,
      );
      entries.push(
        `  ${JSON.stringify(id)}: { method: '${method.toUpperCase()}', path: '${p}', resource: '${resource}', name: '${name}', params: ${JSON.stringify(params)}, hasBody: ${!!body}, hasQuery: ${query.length > 0}, list: ${isList}, scope: ${JSON.stringify(op['x-required-scope'] ?? null)} },`,
      );
    }
  }
  return `// Generated by sdk/generate.ts from the API's route declarations. Do not edit: run \`npm run sdk:generate\`.
/* eslint-disable */

export interface Operations {
${types.join('\n')}
}

export const operations = {
${entries.join('\n')}
} as const;
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  fs.writeFileSync(GENERATED, generate());
  console.log(`wrote ${path.relative(process.cwd(), GENERATED)}`);
}
