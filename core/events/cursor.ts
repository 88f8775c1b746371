import { invalid } from '../errors.ts';

/**
 * A feed position: (writing transaction id, sequence). Opaque to clients (base64url), it is the
 * same cursor for /v1/sync, WebSocket resume and the relay.
 */
export interface Position {
  tx: string;
  seq: string;
}

export const START: Position = { tx: '0', seq: '0' };

export function encodeCursor(p: Position): string {
  return Buffer.from(`${p.tx}.${p.seq}`).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, field = 'cursor'): Position {
  if (!cursor) return START;
  const m = /^(\d{1,20})\.(\d{1,20})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw invalid(field, 'is not a cursor returned by this API');
  return { tx: m[1], seq: m[2] };
}
