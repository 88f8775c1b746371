import { MappingError } from './errors.ts';
import { decodeBytes } from './charsets.ts';

/**
 * multipart/form-data (RFC 7578) for manifests: SendGrid's Inbound Parse, Mailgun's routes and
 * other email providers post it. Parsed synchronously over the raw bytes already in memory, so
 * parseRequest stays synchronous and the kit dependency-free.
 *
 * Text fields are decoded here, not by the sender's declared form charset alone: a field is read
 * with its part's own Content-Type charset, else the charset a JSON `charsets` field names for it
 * (SendGrid: "the text body is latin1" while headers are UTF-8), else the form's `_charset_` field
 * (RFC 7578 §4.6), else UTF-8. File parts are described ({filename, contentType, size}); their bytes
 * stay in the raw request (archived by the engine), out of the parsed body and out of events.
 */
export interface MultipartFile {
  filename?: string;
  contentType: string;
  size: number;
}

export type MultipartValue = string | MultipartFile;

interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  charset?: string;
  bytes: Buffer;
}

const CRLF = Buffer.from('\r\n');
const MAX_PARTS = 1000;

/** The parameters of a header value such as `form-data; name="a"; filename*=UTF-8''%C3%A9.txt`. */
export function headerParams(value: string): { value: string; params: Record<string, string> } {
  const plain: Record<string, string> = {};
  const extended: Record<string, string> = {};
  const semi = value.indexOf(';');
  const head = (semi === -1 ? value : value.slice(0, semi)).trim().toLowerCase();
  const re = /;\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (const m of (semi === -1 ? '' : value.slice(semi)).matchAll(re)) {
    const key = m[1]!.toLowerCase();
    const raw = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!.trim();
    // RFC 5987 ext-value (charset'language'percent-encoded): it wins over the plain parameter.
    const ext = key.endsWith('*') ? /^([^']*)'[^']*'(.*)$/.exec(raw) : null;
    if (ext) extended[key.slice(0, -1)] = decodeBytes(percentDecode(ext[2]!), ext[1] || 'utf-8');
    else if (!key.endsWith('*')) plain[key] = raw;
  }
  return { value: head, params: { ...plain, ...extended } };
}

function percentDecode(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text[i] === '%' ? text.slice(i + 1, i + 3) : '';
    if (/^[0-9a-f]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

function splitParts(body: Buffer, boundary: string): Part[] {
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  if (at !== 0 && (at === -1 || !body.subarray(at - 2, at).equals(CRLF))) throw new MappingError(['body: multipart boundary not found']);
  const parts: Part[] = [];
  for (;;) {
    const afterDelimiter = at + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString() === '--') return parts; // close delimiter
    const headersStart = body.indexOf(CRLF, afterDelimiter);
    if (headersStart === -1) break;
    const next = body.indexOf(Buffer.concat([CRLF, delimiter]), headersStart);
    if (next === -1) break;
    // The empty line ending the part's headers (right after the delimiter when the part has none).
    const blank = body.indexOf('\r\n\r\n', headersStart);
    if (blank === -1 || blank > next) throw new MappingError(['body: a multipart part has no header/body separator']);
    const headers = parseHeaders(body.subarray(headersStart + 2, blank).toString('utf8'));
    const disposition = headerParams(headers['content-disposition'] ?? '');
    const type = headers['content-type'] ? headerParams(headers['content-type']) : undefined;
    if (disposition.value === 'form-data' && disposition.params.name !== undefined) {
      if (parts.length >= MAX_PARTS) throw new MappingError([`body: more than ${MAX_PARTS} multipart parts`]);
      parts.push({
        name: disposition.params.name,
        ...(disposition.params.filename !== undefined ? { filename: disposition.params.filename.replace(/^.*[\\/]/, '') } : {}),
        ...(type ? { contentType: type.value } : {}),
        ...(type?.params.charset ? { charset: type.params.charset } : {}),
        bytes: body.subarray(blank + 4, next),
      });
    }
    at = next + 2;
  }
  throw new MappingError(['body: multipart body ends before its closing boundary']);
}

function add<T>(into: Record<string, T | T[]>, key: string, value: T): void {
  if (!Object.hasOwn(into, key)) into[key] = value;
  else {
    const current = into[key]!;
    into[key] = Array.isArray(current) ? [...current, value] : [current, value];
  }
}

function charsetMap(parts: Part[]): Record<string, string> {
  const field = parts.find((p) => p.name === 'charsets' && p.filename === undefined);
  if (!field) return {};
  try {
    const map: unknown = JSON.parse(field.bytes.toString('utf8'));
    if (!map || typeof map !== 'object' || Array.isArray(map)) return {};
    return Object.fromEntries(Object.entries(map).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}

/**
 * The form as an object of field name → value; a repeated name becomes a list (as decodeForm does
 * for urlencoded bodies). Object.fromEntries-style own properties only, so "__proto__" is inert.
 */
export function parseMultipart(body: Buffer, contentTypeHeader: string): Record<string, MultipartValue | MultipartValue[]> {
  const { value, params } = headerParams(contentTypeHeader);
  if (value !== 'multipart/form-data') throw new MappingError([`body: not multipart/form-data (${value || 'no content type'})`]);
  if (!params.boundary || params.boundary.length > 70) throw new MappingError(['body: multipart/form-data without a valid boundary']);
  const parts = splitParts(body, params.boundary);
  const perField = charsetMap(parts);
  const formCharset = parts.find((p) => p.name === '_charset_' && p.filename === undefined)?.bytes.toString('latin1').trim();
  const out: Record<string, MultipartValue | MultipartValue[]> = Object.create(null);
  for (const p of parts) {
    if (p.filename !== undefined || (p.contentType !== undefined && !p.contentType.startsWith('text/') && p.contentType !== 'application/json')) {
      add<MultipartValue>(out, p.name, {
        ...(p.filename ? { filename: p.filename } : {}),
        contentType: p.contentType ?? 'application/octet-stream',
        size: p.bytes.length,
      });
    } else {
      add<MultipartValue>(out, p.name, decodeBytes(p.bytes, p.charset ?? (Object.hasOwn(perField, p.name) ? perField[p.name] : undefined) ?? formCharset ?? 'utf-8'));
    }
  }
  return { ...out };
}
