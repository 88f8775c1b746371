import type { Knex } from 'knex';
import { relayLag } from '../metrics.ts';
import type { Engine } from '../engine.ts';
import { backoffMs } from '../queue/backoff.ts';
import { createLogger } from '../logger.ts';
import { readAllEvents, type EngineEvent, type EventRow } from './events.ts';
import { decodeBatch } from './decode-batch.ts';
import { dispatchConsumer, type DispatchRoute } from './dispatch.ts';

const log = createLogger('relay');

/**
 * The outbox relay. Each consumer has a cursor row in relay_cursors; a batch is read while the
 * consumer is locked (so several relay processes never deliver the same batch), handed to the
 * consumer, and the cursor advances in the same transaction — only after delivery.
 *
 * The lock is a transaction-scoped advisory lock, tried without waiting (like SKIP LOCKED), not
 * SELECT … FOR UPDATE: a row lock assigns the relay's transaction an xid, and an open xid holds
 * back the "settled" horizon of every feed reader (/v1/sync, WebSocket resume, the other
 * consumers) for as long as a delivery takes. The advisory lock needs no xid; only the final
 * cursor UPDATE takes one, just before the commit.
 *
 * Crash semantics: a crash before the commit re-delivers the batch on the next run. Queue jobs
 * are deduplicated by id (`${queue}:${eventId}`); the realtime consumer may publish an event
 * twice, and WebSocket clients drop repeats by event id. Only settled transactions are read
 * (see readAllEvents), so an event that commits late is never skipped.
 */
export interface RelayConsumer {
  name: string;
  /** A cheap test on the clear columns (type, ids) before anything is decrypted. */
  filter?(row: EventRow): boolean;
  deliver(rows: EventRow[], ctx: DeliveryContext): Promise<void>;
}

export interface DeliveryContext {
  /** Decrypts rows inside the relay's transaction (undecodable rows are left out). */
  decode(rows: EventRow[]): Promise<EngineEvent[]>;
  /** The relay's transaction, for a consumer's own reads (as the app role: cross-tenant only through SECURITY DEFINER functions). */
  trx: Knex.Transaction;
}

export interface Relay {
  /** Wires LISTEN and the poll, then catches up on everything pending in the background. */
  start(): Promise<void>;
  /** Stops waking up and waits for the batch in flight. */
  stop(): Promise<void>;
  /** Resolves when every consumer has caught up with what is settled now (tests, one-shot CLI use). */
  drain(): Promise<void>;
}

export interface RelayOptions {
  batchSize?: number;
  pollMs?: number;
  /** A delivery taking longer (e.g. Redis unreachable) is abandoned and retried later; default 30 s. */
  deliverTimeoutMs?: number;
}

type Step = 'more' | 'done' | 'locked';

/** Rejects after ms; the abandoned delivery may still land, which re-delivery deduplicates. */
async function withTimeout<T>(p: Promise<T>, ms: number, consumer: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`delivery to "${consumer}" timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function createRelay(engine: Engine, consumers: RelayConsumer[], opts: RelayOptions = {}): Relay {
  const batchSize = opts.batchSize ?? 200;
  const pollMs = opts.pollMs ?? engine.config.relayPollMs;
  const deliverTimeoutMs = opts.deliverTimeoutMs ?? 30_000;
  const knex = engine.db.knex;
  const failures = new Map<string, { count: number; until: number }>();
  const timers = new Set<NodeJS.Timeout>();
  let running: Promise<void> | null = null;
  let again = false;
  let stopped = true;
  let poll: NodeJS.Timeout | undefined;
  let unlisten: (() => Promise<void>) | undefined;

  async function step(c: RelayConsumer): Promise<Step> {
    return knex.transaction(async (trx) => {
      const { rows: lock } = await trx.raw(`SELECT pg_try_advisory_xact_lock(hashtext('switchboard.relay'), hashtext(?)) AS ok`, [c.name]);
      if (!lock[0].ok) return 'locked';
      // Read after the lock: a previous holder's advanced cursor is committed and visible now.
      const { rows } = await trx.raw(`SELECT tx::text AS tx, seq::text AS seq FROM relay_cursors WHERE consumer = ?`, [c.name]);
      if (!rows.length) throw new Error(`relay cursor "${c.name}" is missing`);
      const batch = await readAllEvents(trx, rows[0], batchSize);
      if (!batch.length) return 'done';
      const mine = c.filter ? batch.filter((r) => c.filter!(r)) : batch;
      if (mine.length) await withTimeout(c.deliver(mine, { decode: (r) => decodeBatch(trx, engine.keyring, r), trx }), deliverTimeoutMs, c.name);
      const last = batch[batch.length - 1];
      relayLag.observe({ consumer: c.name }, Math.max(0, Date.now() - new Date(last.created_at).getTime()) / 1000);
      await trx('relay_cursors').where({ consumer: c.name }).update({ tx: last.tx, seq: last.seq, updated_at: trx.fn.now() });
      return batch.length === batchSize ? 'more' : 'done';
    });
  }

  async function catchUp(c: RelayConsumer) {
    const f = failures.get(c.name);
    if (f && Date.now() < f.until) return;
    try {
      for (;;) {
        const s = await step(c);
        if (s === 'locked') {
          // Another relay holds this consumer; it may commit just before the event that woke us,
          // so look again shortly rather than at the next poll.
          later(Math.min(pollMs, 100));
          break;
        }
        if (s === 'done' || stopped) break;
      }
      failures.delete(c.name);
    } catch (err) {
      const count = (f?.count ?? 0) + 1;
      const delay = backoffMs(count, 200, 30_000);
      failures.set(c.name, { count, until: Date.now() + delay });
      log.error({ consumer: c.name, attempt: count, retryInMs: delay, err: (err as Error).message }, 'relay delivery failed');
      later(delay);
    }
  }

  function later(ms: number) {
    const t = setTimeout(() => {
      timers.delete(t);
      wake();
    }, ms);
    t.unref();
    timers.add(t);
  }

  // Wake-ups coalesce: while a pass runs, any number of them make exactly one more pass.
  function wake(): Promise<void> {
    if (stopped) return running ?? Promise.resolve();
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        for (const c of consumers) if (!stopped) await catchUp(c);
      } while (again && !stopped);
    })().finally(() => {
      running = null;
    });
    return running;
  }

  return {
    async start() {
      if (!stopped) return;
      for (const c of consumers) {
        await knex.raw(`INSERT INTO relay_cursors (consumer) VALUES (?) ON CONFLICT (consumer) DO NOTHING`, [c.name]);
      }
      stopped = false;
      unlisten = await engine.db.listen('sb_events', () => void wake());
      poll = setInterval(() => void wake(), pollMs);
      poll.unref();
      void wake();
      log.info({ consumers: consumers.map((c) => c.name), pollMs }, 'relay started');
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(poll);
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await unlisten?.();
      await running;
    },
    async drain() {
      if (stopped) throw new Error('The relay is not running.');
      // A pass that started before the caller's commit may have missed it: wait for it, then run one more.
      while (running) await running;
      await wake();
      while (running) await running;
    },
  };
}

/** Publishes every event to the realtime adapter (Redis pub/sub or in-process) for WebSocket clients. */
export function realtimeConsumer(engine: Engine): RelayConsumer {
  return {
    name: 'realtime',
    async deliver(rows, ctx) {
      const events = await ctx.decode(rows);
      // Issued together: one connection keeps them in order, and the batch is not N round trips long.
      await Promise.all(events.map((e) => engine.realtime.publish(e)));
    },
  };
}

export interface StartRelayOptions extends RelayOptions {
  /** Where events go besides realtime: the process's consumers (app/dispatch-routes.ts). */
  routes: DispatchRoute[];
}

/**
 * The relay every server/worker process runs (several are safe: they share the work through the
 * cursor locks). Call `stop()` before `engine.close()`.
 */
export async function startRelay(engine: Engine, opts: StartRelayOptions): Promise<Relay> {
  const relay = createRelay(engine, [realtimeConsumer(engine), dispatchConsumer(engine, opts.routes)], opts);
  await relay.start();
  return relay;
}
