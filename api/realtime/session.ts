import { setTimeout as sleep } from 'node:timers/promises';
import type { WebSocket } from 'ws';
import type { Knex } from 'knex';
import type { Engine } from '../../core/engine.ts';
import { decodeCursor, encodeCursor, START, type Position } from '../../core/events/cursor.ts';
import { SETTLED } from '../../core/events/events.ts';
import { decodeEvent, readOrgEvents, type EngineEvent } from '../../core/events/events.ts';
import { createLogger } from '../../core/logger.ts';
import type { SessionParams } from './auth.ts';
import { orgSettings } from '../../core/org-settings.ts';
import type { RealtimeHub } from './hub.ts';
import { eventFrame, sendFrame } from './frames.ts';

const log = createLogger('realtime');
const PAGE = 500;
// Live events held while a resume replays; a client this far behind reconnects with its cursor.
const MAX_BUFFER = 10_000;
// Replay pauses while this much is waiting in the socket, so a slow client cannot balloon memory.
const HIGH_WATER = 1 << 20;

const compare = (a: Position, b: Position) => {
  const d = BigInt(a.tx) - BigInt(b.tx) || BigInt(a.seq) - BigInt(b.seq);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
};

/** The org's last settled position: "now" for a client that asked for live events only. */
async function head(trx: Knex): Promise<Position> {
  const { rows } = await trx.raw(
    `SELECT tx::text AS tx, seq::text AS seq FROM events WHERE org_id = sb_org() AND ${SETTLED}
     ORDER BY events.tx DESC, events.seq DESC LIMIT 1`,
  );
  return rows[0] ?? START;
}

/**
 * One WebSocket client. Subscribes to live events first (buffering them), then replays the feed
 * from the client's cursor out of the database, then flushes the buffer, so nothing falls in the
 * gap. Every frame is sent at most once and in feed order: an event at or before the last
 * position sent is dropped, which covers both the replay/live overlap and a relay re-publishing
 * after a crash (the relay publishes in feed order, so "not after the last sent" means "seen").
 */
export async function runSession(ws: WebSocket, engine: Engine, hub: RealtimeHub, s: SessionParams): Promise<void> {
  let replaying = true;
  let last: Position = s.after ?? START;
  // HIPAA mode: frames carry ids and types only (read before any frame is sent).
  let thin = false;
  const buffer: EngineEvent[] = [];
  const deliver = (e: EngineEvent) => {
    const pos = decodeCursor(e.cursor);
    if (compare(pos, last) <= 0) return;
    last = pos;
    const frame = eventFrame(e, s.view, thin);
    if (frame) sendFrame(ws, frame);
  };
  // The hub hands this session its conversation's events only (all the org's without one).
  const unsubscribe = hub.subscribe(s.orgId, s.conversationId, (e) => {
    if (!replaying) return deliver(e);
    buffer.push(e);
    if (buffer.length > MAX_BUFFER) ws.close(1013, 'Too far behind; reconnect with your last cursor.');
  });
  ws.once('close', unsubscribe);
  try {
    await engine.realtime.ready(s.orgId);
    thin = (await engine.tenant(s.orgId, (tx) => orgSettings(tx.trx, s.orgId))).hipaaMode;
    if (!s.after) last = await engine.tenant(s.orgId, (tx) => head(tx.trx));
    else {
      for (;;) {
        const page = await engine.tenant(s.orgId, async (tx) =>
          (await readOrgEvents(tx.trx, last, PAGE, { conversationId: s.conversationId })).map((r) => decodeEvent(r, tx.crypto)),
        );
        if (ws.readyState !== ws.OPEN) return;
        page.forEach(deliver);
        if (page.length < PAGE) break;
        while (ws.bufferedAmount > HIGH_WATER && ws.readyState === ws.OPEN) await sleep(20);
      }
    }
    if (ws.readyState !== ws.OPEN) return;
    // Synchronous from here to `replaying = false`: no live event can slip between flush and switch.
    buffer.splice(0).forEach(deliver);
    replaying = false;
    sendFrame(ws, JSON.stringify({ type: 'ready', cursor: encodeCursor(last) }));
  } catch (err) {
    log.error({ org: s.orgId, err: (err as Error).message }, 'realtime replay failed');
    ws.close(1011, 'Replay failed; reconnect with your last cursor.');
  }
}
