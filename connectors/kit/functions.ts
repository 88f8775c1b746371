import { createHash } from 'node:crypto';
import { htmlToText, parseAddressList, parseHeaderBlock, parseMessageIdList, parseMime } from './email.ts';

/**
 * Functions every manifest expression can call, for what JSONata cannot do on its own: mail
 * headers and MIME, lenient JSON, a stable digest. Each takes what a payload may or may not carry
 * (undefined in, undefined out) and never throws on bad data, so a mapping fails only by its own
 * rules (a required field left empty), never on a parse error deep inside a function.
 */
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export const kitFunctions: Readonly<Record<string, (...args: unknown[]) => unknown>> = Object.freeze({
  /** A raw header block → {lowercased name: value}, unfolded, encoded words decoded. */
  emailHeaders: (block: unknown) => (text(block) === undefined ? undefined : parseHeaderBlock(text(block))),
  /** The first mailbox of an address header: {name?, address}. */
  emailAddress: (value: unknown) => parseAddressList(text(value))[0],
  /** Every mailbox of an address header. */
  emailAddresses: (value: unknown) => parseAddressList(text(value)),
  /** The ids of a Message-ID / In-Reply-To / References header, each as "<id>". */
  messageIds: (value: unknown) => parseMessageIdList(text(value)),
  /** The readable text of an HTML body. */
  htmlToText: (html: unknown) => (text(html) === undefined ? undefined : htmlToText(text(html))),
  /** A raw MIME message → {headers, text?, html?, attachments: [{filename?, contentType, size, contentId?}]}. */
  parseMime: (raw: unknown) => parseMime(text(raw)),
  /** JSON text → its value; undefined when it does not parse (unlike $eval, never runs an expression). */
  parseJson: (json: unknown) => {
    if (text(json) === undefined) return undefined;
    try {
      return JSON.parse(text(json)!);
    } catch {
      return undefined;
    }
  },
  /** Hex SHA-256 of a string: a stable id for a payload that carries none of its own. */
  sha256: (value: unknown) => (text(value) === undefined ? undefined : createHash('sha256').update(text(value)!, 'utf8').digest('hex')),
});
