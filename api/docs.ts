import type { Request, Response } from 'express';
import type { Engine } from '../core/engine.ts';
import { buildOpenApi } from './http/openapi.ts';

/**
 * GET /docs: a readable API reference rendered on the server from the same OpenAPI document as
 * /v1/openapi.json. One self-contained page (inline CSS, no script, no CDN) so it works offline
 * and under a strict Content-Security-Policy.
 */
type Json = Record<string, any>;

const esc = (v: unknown) =>
  String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

// Backticks in descriptions become <code>; everything else stays text.
const prose = (s: unknown) => esc(s).replace(/`([^`]+)`/g, '<code>$1</code>');

const anchor = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

function typeOf(s: Json): string {
  if (s.$ref) return String(s.$ref).split('/').pop()!;
  if (s.enum) return s.enum.map((v: unknown) => JSON.stringify(v)).join(' | ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  const t = Array.isArray(s.type) ? s.type.join(' | ') : s.type;
  if (t === 'array') return `array of ${s.items ? typeOf(s.items) : 'any'}`;
  if (s.oneOf || s.anyOf) return 'one of';
  return t ?? 'any';
}

function constraints(s: Json): string[] {
  const out: string[] = [];
  if (s.format) out.push(`format ${s.format}`);
  if (s.minLength !== undefined) out.push(`min length ${s.minLength}`);
  if (s.maxLength !== undefined) out.push(`max length ${s.maxLength}`);
  if (s.minimum !== undefined) out.push(`≥ ${s.minimum}`);
  if (s.maximum !== undefined) out.push(`≤ ${s.maximum}`);
  if (s.minItems !== undefined) out.push(`min ${s.minItems} items`);
  if (s.maxItems !== undefined) out.push(`max ${s.maxItems} items`);
  if (s.pattern) out.push(`pattern ${s.pattern}`);
  if (s.default !== undefined) out.push(`default ${JSON.stringify(s.default)}`);
  return out;
}

function row(s: Json, label: string, required: boolean): string {
  const notes = [s.description ? prose(s.description) : '', ...constraints(s).map(esc)].filter(Boolean).join('<br>');
  return `<tr><td><code>${esc(label)}</code></td><td>${esc(typeOf(s))}</td><td>${required ? 'yes' : ''}</td><td>${notes}</td></tr>`;
}

/** The fields under a schema: its properties, an array's item properties, and oneOf/anyOf variants. */
function children(s: Json, prefix: string, depth: number, rows: string[]): void {
  if (depth > 6) return;
  const req = new Set<string>(s.required ?? []);
  for (const [name, sub] of Object.entries<Json>(s.properties ?? {})) {
    const path = prefix ? `${prefix}.${name}` : name;
    rows.push(row(sub, path, req.has(name)));
    children(sub, path, depth + 1, rows);
  }
  if (s.items) children(s.items, `${prefix}[]`, depth + 1, rows);
  for (const [i, variant] of (s.oneOf ?? s.anyOf ?? []).entries()) {
    rows.push(row(variant, `${prefix || '(body)'}: option ${i + 1}`, false));
    children(variant, prefix, depth + 1, rows);
  }
}

function schemaTable(schema: Json | undefined): string {
  if (!schema) return '';
  const rows: string[] = [];
  children(schema, '', 0, rows);
  if (!rows.length) return `<p class="muted">${esc(typeOf(schema))}</p>`;
  return `<table><thead><tr><th>Field</th><th>Type</th><th>Required</th><th>Notes</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function paramsTable(params: Json[]): string {
  if (!params.length) return '';
  const rows = params
    .map((p) => {
      const notes = [p.description ? prose(p.description) : '', ...constraints(p.schema ?? {}).map(esc)].filter(Boolean).join('<br>');
      return `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${esc(typeOf(p.schema ?? {}))}</td><td>${p.required ? 'yes' : ''}</td><td>${notes}</td></tr>`;
    })
    .join('');
  return `<h4>Parameters</h4><table><thead><tr><th>Name</th><th>In</th><th>Type</th><th>Required</th><th>Notes</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function operationHtml(method: string, path: string, op: Json): string {
  const id = anchor(`${method} ${path}`);
  const body = op.requestBody?.content?.['application/json']?.schema;
  const [status, success] = Object.entries<Json>(op.responses ?? {}).find(([code]) => code !== 'default') ?? [];
  const response = success?.content?.['application/json']?.schema;
  const auth = op.security?.length ? `Bearer API key, scope <code>${esc(op['x-required-scope'] ?? 'any')}</code>` : 'none';
  return `<section class="op" id="${id}">
  <h3><span class="method ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
  <p>${prose(op.summary)}</p>
  ${op.description ? `<p>${prose(op.description)}</p>` : ''}
  <p class="muted">Authentication: ${auth}</p>
  ${paramsTable(op.parameters ?? [])}
  ${body ? `<h4>Request body (application/json)</h4>${schemaTable(body)}` : ''}
  ${status ? `<h4>Response ${esc(status)}</h4>${schemaTable(response)}` : ''}
</section>`;
}

const CSS = `
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1d2330;background:#fafbfc}
nav{position:fixed;top:0;bottom:0;left:0;width:260px;overflow:auto;padding:20px;background:#fff;border-right:1px solid #e3e6ea;box-sizing:border-box}
nav a{display:block;color:#34495e;text-decoration:none;font-size:13px;padding:2px 0;word-break:break-all}
nav h2{font-size:12px;text-transform:uppercase;color:#8792a2;margin:16px 0 4px}
main{margin-left:260px;padding:24px 40px;max-width:1000px}
h1{margin-top:0}.op{background:#fff;border:1px solid #e3e6ea;border-radius:6px;padding:4px 20px 12px;margin:16px 0}
table{border-collapse:collapse;width:100%;font-size:13px;margin-bottom:8px}th,td{text-align:left;border-bottom:1px solid #eef0f2;padding:4px 8px;vertical-align:top}
code{font:12.5px ui-monospace,SFMono-Regular,Menlo,monospace;background:#f2f4f7;padding:1px 4px;border-radius:3px}
.method{font:bold 12px ui-monospace,monospace;padding:2px 6px;border-radius:3px;color:#fff;background:#6b7785}
.get{background:#2f7d4f}.post{background:#2d63c8}.patch,.put{background:#b8741a}.delete{background:#b83232}.muted{color:#6b7785}
`;

export function renderDocs(doc: Json): string {
  const byTag = new Map<string, string[]>();
  const toc = new Map<string, string[]>();
  for (const [path, ops] of Object.entries<Json>(doc.paths ?? {})) {
    for (const [method, op] of Object.entries<Json>(ops)) {
      const tag = op.tags?.[0] ?? 'Other';
      if (!byTag.has(tag)) byTag.set(tag, []), toc.set(tag, []);
      byTag.get(tag)!.push(operationHtml(method, path, op));
      toc.get(tag)!.push(`<a href="#${anchor(`${method} ${path}`)}">${esc(method.toUpperCase())} ${esc(path)}</a>`);
    }
  }
  const tags = [...byTag.keys()].sort();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(doc.info?.title)} reference</title><style>${CSS}</style></head>
<body>
<nav><strong>${esc(doc.info?.title)}</strong><br><span class="muted">v${esc(doc.info?.version)}</span>
<a href="/v1/openapi.json">openapi.json</a>
${tags.map((t) => `<h2>${esc(t)}</h2>${toc.get(t)!.join('')}`).join('')}</nav>
<main>
<h1>${esc(doc.info?.title)} reference</h1>
<p>${prose(doc.info?.description)}</p>
<p class="muted">Base URL: <code>${esc(doc.servers?.[0]?.url)}</code>. Machine-readable: <a href="/v1/openapi.json">/v1/openapi.json</a> (OpenAPI ${esc(doc.openapi)}).</p>
${tags.map((t) => `<h2 id="${anchor(`tag ${t}`)}">${esc(t)}</h2>${byTag.get(t)!.join('')}`).join('')}
</main></body></html>`;
}

export function docsHandler(engine: Engine) {
  return (_req: Request, res: Response) => {
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.type('html').send(renderDocs(buildOpenApi(engine.config.publicUrl)));
  };
}
