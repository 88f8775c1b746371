import { decodeBytes } from './charsets.ts';
import { headerParams } from './multipart.ts';

/**
 * Internet mail (RFC 5322 / MIME) as email connectors need it inside manifests: header blocks,
 * addresses, message ids, and the text of a raw MIME message. Deliberately small: enough to thread
 * and display a message, not a full MIME library (no S/MIME, no TNEF, no uuencode).
 */

/** RFC 2047 encoded words (=?charset?B|Q?…?=) decoded; whitespace between adjacent words dropped. */
export function decodeEncodedWords(value: string): string {
  return value
    .replace(/(=\?[^?\s]+\?[bq]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[bq]\?)/gi, '$1')
    .replace(/=\?([^?\s]+)\?([bq])\?([^?\s]*)\?=/gi, (whole, charset: string, enc: string, text: string) => {
      const bytes = enc.toLowerCase() === 'b' ? Buffer.from(text, 'base64') : qpBytes(text.replace(/_/g, ' '), false);
      return decodeBytes(bytes, charset.replace(/\*.*$/, '')); // RFC 2231 language suffix: "utf-8*en"
    });
}

/** Quoted-printable → bytes; in bodies a trailing "=" is a soft line break. */
function qpBytes(text: string, body = true): Buffer {
  const src = body ? text.replace(/=\r?\n/g, '') : text;
  const out: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const hex = src[i] === '=' ? src.slice(i + 1, i + 3) : '';
    if (/^[0-9a-f]{2}$/i.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      out.push(...Buffer.from(src[i]!, 'utf8'));
    }
  }
  return Buffer.from(out);
}

/**
 * A raw header block → lowercased name → value, unfolded and with encoded words decoded. The first
 * occurrence wins (trace headers such as Received repeat; the ones a connector reads do not).
 */
export function parseHeaderBlock(block: string | undefined | null): Record<string, string> {
  const headers: Record<string, string> = {};
  if (typeof block !== 'string') return headers;
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name) || Object.hasOwn(headers, name)) continue;
    headers[name] = decodeEncodedWords(line.slice(colon + 1).trim());
  }
  return headers;
}

export interface EmailAddress {
  name?: string;
  address: string;
}

/** Splits on commas outside quotes, angle brackets and comments. */
function splitAddressList(value: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  let depth = 0;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted && c === '\\') {
      current += c + (value[++i] ?? '');
      continue;
    }
    if (c === '"' && depth === 0) quoted = !quoted;
    else if (!quoted && c === '(') depth++;
    else if (!quoted && c === ')' && depth > 0) depth--;
    else if (!quoted && depth === 0 && c === '<') angle = true;
    else if (!quoted && depth === 0 && c === '>') angle = false;
    if (c === ',' && !quoted && depth === 0 && !angle) {
      out.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  out.push(current);
  return out.map((s) => s.trim()).filter(Boolean);
}

function cleanName(raw: string): string | undefined {
  let name = raw.trim();
  if (name.startsWith('"') && name.endsWith('"') && name.length >= 2) name = name.slice(1, -1).replace(/\\(.)/g, '$1');
  name = decodeEncodedWords(name).trim();
  return name ? name : undefined;
}

/** "Jane Doe" <jane@example.com>, jane@example.com (Jane Doe), Group: a@b, c@d; → one entry per mailbox. */
export function parseAddressList(value: string | undefined | null): EmailAddress[] {
  if (typeof value !== 'string') return [];
  const out: EmailAddress[] = [];
  // A group ("Team: a@x, b@y;") lists its members; the group name is not a mailbox.
  const flat = value.replace(/(^|,)\s*[^,"<@]*:\s*([^;]*);/g, '$1$2');
  for (const entry of splitAddressList(flat)) {
    const angled = /^(.*?)<\s*([^<>\s]+@[^<>\s]+)\s*>\s*(?:\((.*)\))?$/.exec(entry);
    if (angled) {
      const name = cleanName(angled[1]!) ?? (angled[3] ? cleanName(angled[3]) : undefined);
      out.push({ ...(name ? { name } : {}), address: angled[2]! });
      continue;
    }
    const bare = /^([^\s<>()"]+@[^\s<>()"]+)\s*(?:\((.*)\))?$/.exec(entry);
    if (bare) {
      const name = bare[2] ? cleanName(bare[2]) : undefined;
      out.push({ ...(name ? { name } : {}), address: bare[1]! });
    }
  }
  return out;
}

/** Every id of a Message-ID / In-Reply-To / References value, as "<id>" in header order. */
export function parseMessageIdList(value: string | undefined | null): string[] {
  if (typeof value !== 'string') return [];
  const bracketed = [...value.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!);
  const ids = bracketed.length ? bracketed : value.split(/[\s,]+/).filter((s) => s.includes('@'));
  return ids.map((id) => `<${id}>`);
}

// HTML 4's Latin-1 entities, U+00A0 to U+00FF in order (case matters: &Eacute; is not &eacute;).
const LATIN1 =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute micro para middot cedil sup1 ' +
  'ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ' +
  'ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring ' +
  'aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc ' +
  'uuml yacute thorn yuml';
const ENTITIES = new Map<string, string>([
  ...LATIN1.split(' ').map((name, i): [string, string] => [name, String.fromCharCode(0xa0 + i)]),
  ...Object.entries({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", hellip: '…', mdash: '—', ndash: '–', rsquo: '’', lsquo: '‘', rdquo: '”', ldquo: '“', bull: '•', euro: '€', trade: '™', zwnj: '', zwj: '' }),
]);

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z][a-z0-9]*);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES.get(ref) ?? ENTITIES.get(ref.toLowerCase()) ?? whole;
  });
}

/** The readable text of an HTML body: scripts, styles and comments dropped, blocks on their own lines. */
export function htmlToText(html: string | undefined | null): string {
  if (typeof html !== 'string') return '';
  const text = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style|head|title)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<\/?(p|div|h[1-6]|ul|ol|table|tr|blockquote|section|article|header|footer|pre)\b[^>]*>/gi, '\n')
    .replace(/<\/t[dh]\s*>/gi, '\t')
    .replace(/<[^>]*>/g, '');
  return decodeEntities(text)
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export interface MimeAttachment {
  filename?: string;
  contentType: string;
  size: number;
  contentId?: string;
}

export interface ParsedMime {
  headers: Record<string, string>;
  text?: string;
  html?: string;
  attachments: MimeAttachment[];
}

const MAX_DEPTH = 8;

function splitHeadersAndBody(raw: string): { headerBlock: string; body: string } {
  const m = /\r?\n\r?\n/.exec(raw);
  return m ? { headerBlock: raw.slice(0, m.index), body: raw.slice(m.index + m[0].length) } : { headerBlock: raw, body: '' };
}

function decodeBody(body: string, transferEncoding: string | undefined): Buffer {
  switch ((transferEncoding ?? '').trim().toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
    case 'quoted-printable':
      return qpBytes(body);
    default:
      // 7bit / 8bit / binary: the text reached us already decoded (as the form field it came in).
      return Buffer.from(body, 'utf8');
  }
}

function walk(raw: string, depth: number, out: ParsedMime, top: boolean): void {
  const { headerBlock, body } = splitHeadersAndBody(raw);
  const headers = parseHeaderBlock(headerBlock);
  if (top) out.headers = headers;
  const type = headerParams(headers['content-type'] ?? 'text/plain');
  const disposition = headers['content-disposition'] ? headerParams(headers['content-disposition']) : undefined;
  const filename = disposition?.params.filename ?? type.params.name;
  if (type.value.startsWith('multipart/') && type.params.boundary && depth < MAX_DEPTH) {
    const boundary = type.params.boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pieces = body.split(new RegExp(`(?:^|\\r?\\n)--${boundary}(?:--)?[ \\t]*(?=\\r?\\n|$)`));
    // pieces[0] is the preamble and the piece after the close delimiter the epilogue.
    for (const piece of pieces.slice(1, -1)) walk(piece.replace(/^\r?\n/, ''), depth + 1, out, false);
    return;
  }
  const isText = type.value === 'text/plain' || type.value === 'text/html';
  if (isText && disposition?.value !== 'attachment' && filename === undefined) {
    const text = decodeBytes(decodeBody(body, headers['content-transfer-encoding']), type.params.charset ?? 'utf-8');
    const key = type.value === 'text/html' ? 'html' : 'text';
    if (out[key] === undefined) out[key] = text;
    return;
  }
  if (top && !body.trim()) return;
  const contentId = parseMessageIdList(headers['content-id'])[0];
  out.attachments.push({
    ...(filename ? { filename } : {}),
    contentType: type.value || 'application/octet-stream',
    size: decodeBody(body, headers['content-transfer-encoding']).length,
    ...(contentId ? { contentId } : {}),
  });
}

/** A raw RFC 5322 message: its top-level headers, first text/plain and text/html bodies, attachments described. */
export function parseMime(raw: string | undefined | null): ParsedMime | undefined {
  if (typeof raw !== 'string' || !raw.trim()) return undefined;
  const out: ParsedMime = { headers: {}, attachments: [] };
  walk(raw, 0, out, true);
  return out;
}
