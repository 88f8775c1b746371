import type { Knex } from 'knex';
import type { Engine } from '../engine.ts';
import type { JobSpec } from '../queue/queue.ts';
import type { EngineEvent } from './events.ts';
import type { RelayConsumer } from './relay.ts';

/**
 * Where committed events become queue jobs. The spine knows no consumer: each consumer (send,
 * webhooks, rules, AI…) exports its route beside its worker, and the composition root
 * (app/dispatch-routes.ts) lists them; the relay does the rest, exactly once per event and queue.
 */
export interface DispatchRoute {
  /** Queue the job goes to. The job id is `${queue}:${event.id}`, so one event makes at most one job per queue. */
  queue: string;
  /** Event types the route takes, checked on the clear columns before anything is decrypted; omit for all. */
  types?: string[];
  /** A finer test on the decoded event. */
  when?(event: EngineEvent): boolean;
  /** Job payload; default: the event reference. Queues hold no content (Redis is not encrypted): handlers load what they need. */
  data?(event: EngineEvent): unknown;
  /** Attempts before the job is given up (queue default when omitted). */
  attempts?: number;
  /**
   * A set-returning SQL function (org ids in, the orgs this route serves out) asked once per relay
   * batch: events of other orgs make no job. For routes that every event could wake but few orgs use.
   */
  orgsFn?: string;
}

/** The default job payload: enough to load the event or its subject inside a tenant transaction. */
export interface EventJob {
  eventId: string;
  orgId: string;
  type: string;
  conversationId: string | null;
  subjectId: string | null;
  cursor: string;
}

export const eventJob = (e: EngineEvent): EventJob => ({
  eventId: e.id,
  orgId: e.orgId,
  type: e.type,
  conversationId: e.conversationId,
  subjectId: e.subjectId,
  cursor: e.cursor,
});

/** The orgs of `orgIds` each route with an orgsFn serves (one query per such route and batch). */
async function audiences(trx: Knex.Transaction, routes: DispatchRoute[], orgIds: string[]): Promise<Map<DispatchRoute, Set<string>>> {
  const out = new Map<DispatchRoute, Set<string>>();
  for (const r of routes) {
    if (!r.orgsFn) continue;
    if (!/^[a-z_][a-z0-9_]*$/.test(r.orgsFn)) throw new Error(`dispatch route "${r.queue}": orgsFn must be a plain function name`);
    // An array literal: knex would spread a JS array into a list of placeholders.
    const { rows } = await trx.raw(`SELECT o::text AS id FROM ${r.orgsFn}(?::uuid[]) AS o`, [`{${orgIds.join(',')}}`]);
    out.set(r, new Set(rows.map((x: { id: string }) => x.id)));
  }
  return out;
}

/** The relay consumer that turns events into jobs. Its cursor is shared by every route. */
export function dispatchConsumer(engine: Engine, routes: DispatchRoute[]): RelayConsumer {
  const queues = routes.map((r) => r.queue);
  const dup = queues.find((q, i) => queues.indexOf(q) !== i);
  if (dup) throw new Error(`Two dispatch routes target queue "${dup}"; job ids would collide. Merge them into one route.`);
  const takes = (r: DispatchRoute, type: string) => !r.types || r.types.includes(type);
  return {
    name: 'dispatch',
    filter: (row) => routes.some((r) => takes(r, row.type)),
    async deliver(rows, ctx) {
      const byQueue = new Map<string, JobSpec[]>();
      const served = await audiences(ctx.trx, routes, [...new Set(rows.map((r) => r.org_id))]);
      for (const event of await ctx.decode(rows)) {
        for (const r of routes) {
          if (!takes(r, event.type) || (r.when && !r.when(event))) continue;
          if (served.get(r)?.has(event.orgId) === false) continue;
          const jobs = byQueue.get(r.queue) ?? [];
          jobs.push({ id: `${r.queue}:${event.id}`, name: event.type, data: r.data ? r.data(event) : eventJob(event), attempts: r.attempts });
          byQueue.set(r.queue, jobs);
        }
      }
      for (const [queue, jobs] of byQueue) await engine.queue.add(queue, jobs);
    },
  };
}
