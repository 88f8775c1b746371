/**
 * Bytes → text under a declared charset. Mail and forms name charsets loosely ("latin1", "UTF8",
 * "cp1252", "unknown-8bit"): a label TextDecoder does not know falls back to UTF-8 rather than
 * failing the whole request. Invalid sequences become U+FFFD, never an exception.
 */
const decoders = new Map<string, TextDecoder>();

function decoderFor(charset: string): TextDecoder {
  const label = charset.trim().toLowerCase().replace(/^"|"$/g, '');
  let decoder = decoders.get(label);
  if (!decoder) {
    try {
      decoder = new TextDecoder(label);
    } catch {
      decoder = new TextDecoder('utf-8');
    }
    if (decoders.size < 64) decoders.set(label, decoder);
  }
  return decoder;
}

/**
 * WHATWG maps latin1, iso-8859-1 and us-ascii to windows-1252, whose 0x80–0x9F are printable (€, “…”).
 * Node 20's TextDecoder decodes that range as C1 controls instead (nodejs/node#56542), so it is
 * mapped here; unassigned positions keep their C1 code point, as the WHATWG index does.
 */
const CP1252 = '€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8dŽ\x8f\x90‘’“”•–—˜™š›œ\x9džŸ';

function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b >= 0x80 && b <= 0x9f ? CP1252[b - 0x80] : String.fromCharCode(b);
  return out;
}

export function decodeBytes(bytes: Uint8Array, charset = 'utf-8'): string {
  const decoder = decoderFor(typeof charset === 'string' && charset ? charset : 'utf-8');
  return decoder.encoding === 'windows-1252' ? decodeWindows1252(bytes) : decoder.decode(bytes);
}
