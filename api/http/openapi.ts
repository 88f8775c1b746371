import type { RouteSpec } from './route.ts';

/**
 * The OpenAPI 3.1 document, built from the same route declarations and JSON Schemas that
 * validate requests (3.1 uses JSON Schema as is).
 */
const operations: RouteSpec[] = [];
const seen = new Set<string>();

export function registerOperation(spec: RouteSpec): void {
  const key = `${spec.method} ${spec.path}`;
  if (seen.has(key)) return;
  seen.add(key);
  operations.push(spec);
}

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', examples: ['validation_failed'] },
        message: { type: 'string' },
        details: {},
      },
    },
  },
};

function queryParameters(schema: any) {
  const props = schema?.properties ?? {};
  return Object.entries(props).map(([name, s]: [string, any]) => ({
    name: s.type === 'object' ? `${name}[key]` : name,
    in: 'query',
    required: (schema.required ?? []).includes(name),
    description: s.description,
    schema: s.type === 'object' ? { type: 'string' } : s,
    ...(s.type === 'object' ? { style: 'deepObject', explode: true } : {}),
  }));
}

export function buildOpenApi(serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const path = op.path.replace(/:(\w+)/g, '{$1}');
    const pathParams = [...op.path.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const status = String(op.status ?? 200);
    paths[path] ??= {};
    paths[path][op.method] = {
      summary: op.summary,
      tags: [op.tag],
      operationId: `${op.method}${path.replace(/[{}]/g, '').replace(/[/_-](\w)/g, (_, c: string) => c.toUpperCase())}`,
      security: op.scope === null ? [] : [{ bearerAuth: [] }],
      ...(op.scope ? { 'x-required-scope': op.scope } : {}),
      parameters: [
        ...pathParams,
        ...queryParameters(op.query),
        ...(op.method === 'post'
          ? [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } }]
          : []),
      ],
      ...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: op.body } } } } : {}),
      responses: {
        [status]: { description: 'Success', content: { 'application/json': { schema: op.response ?? { type: 'object' } } } },
        default: { description: 'Error', content: { 'application/json': { schema: errorSchema } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchboard API',
      version: '1.0.0',
      description:
        'One conversation engine for SMS/MMS, email, WhatsApp and in-app chat. Authenticate with ' +
        '`Authorization: Bearer <API key>`. Every POST accepts an `Idempotency-Key`. Lists are cursor-paginated. ' +
        'Errors are `{ "error": { "code", "message", "details" } }`.',
    },
    servers: [{ url: serverUrl }],
    components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } }, schemas: { Error: errorSchema } },
    paths,
  };
}
