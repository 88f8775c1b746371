import { CsvError, parseCsvTable } from './csv.ts';
import { MappingError } from './errors.ts';
import { parseMultipart } from './multipart.ts';
import type { ParsedRequest, RawRequest } from './types.ts';

/** Case-insensitive header lookup on a raw request; the first value when repeated. */
export function headerOf(headers: RawRequest['headers'], name: string): string | undefined {
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() === want) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/**
 * Form and query decoding keep repeated keys as arrays (`a=1&a=2` → ["1","2"]), which is what
 * signature schemes such as Twilio's sign. Object.fromEntries defines own properties, so a key
 * named "__proto__" cannot reach the prototype.
 */
export function decodeForm(text: string): Record<string, string | string[]> {
  const grouped = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(text)) {
    const list = grouped.get(k);
    if (list) list.push(v);
    else grouped.set(k, [v]);
  }
  return Object.fromEntries([...grouped].map(([k, vs]) => [k, vs.length === 1 ? vs[0]! : vs]));
}

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function queryString(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return '';
  const hash = url.indexOf('#', q);
  return url.slice(q + 1, hash === -1 ? undefined : hash);
}

/**
 * The request as manifest expressions see it. The body is decoded by content type: forms
 * (urlencoded and multipart) to an object, JSON to its value, CSV (text/csv, with a header row) to
 * {columns, rows}, anything else to text. A body that
 * does not parse is a MappingError (the ingress answers 400), never an exception that would look
 * like our fault.
 */
export function parseRequest(raw: RawRequest): ParsedRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw.headers)) {
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  const contentType = mediaType(headers['content-type']);
  const text = raw.body.toString('utf8');
  let body: unknown;
  if (contentType === 'multipart/form-data') {
    body = parseMultipart(raw.body, headers['content-type']!);
  } else if (contentType === 'application/x-www-form-urlencoded') {
    body = decodeForm(text);
  } else if (contentType === 'application/json' || contentType.endsWith('+json')) {
    try {
      body = text.length ? JSON.parse(text) : null;
    } catch (err) {
      throw new MappingError([`body: invalid JSON (${(err as Error).message})`]);
    }
  } else if (contentType === 'text/csv') {
    // Uploaded exports: {columns, rows} with each row keyed by header, so manifests map rows with `each`.
    try {
      body = parseCsvTable(text);
    } catch (err) {
      if (err instanceof CsvError) throw new MappingError([`body: invalid CSV (${err.message})`]);
      throw err;
    }
  } else {
    body = text;
  }
  return { method: raw.method.toUpperCase(), headers, query: decodeForm(queryString(raw.url)), body, contentType };
}
