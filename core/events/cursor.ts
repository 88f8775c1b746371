import { invalidCursor } from '../errors.ts';

/**
 * A feed position: (writing transaction id, sequence). Opaque to clients (base64url), it is the
 * same cursor for /v1/sync, WebSocket resume and the relay.
 */
export interface Position {
  tx: string;
  seq: string;
}

const XID8_MAX = 2n ** 64n - 1n;
const BIGINT_MAX = 2n ** 63n - 1n;

export const START: Position = { tx: '0', seq: '0' };

export function encodeCursor(p: Position): string {
  return Buffer.from(`${p.tx}.${p.seq}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, field = 'cursor'): Position {
  if (!cursor) return START;
  const m = /^(\d{1,20})\.(\d{1,20})$/.exec(Buffer.from(cursor, 'base64url').toString());
  // Digits alone are not enough: tx is an xid8 (unsigned 64-bit) and seq a bigint; a larger number
  // would fail in the query (a 500, or a WebSocket closed 1011) instead of being refused here.
  if (!m || BigInt(m[1]!) > XID8_MAX || BigInt(m[2]!) > BIGINT_MAX) throw invalidCursor(field);
  return { tx: m[1]!, seq: m[2]! };
}
