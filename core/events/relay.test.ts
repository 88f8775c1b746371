import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { freshDatabaseUrl, realServices, startHarness, testEnv, type Harness } from '../../test/harness.ts';
import { dropRedisPrefix } from '../../test/redis.ts';
import { sleep, waitFor } from '../../test/wait.ts';
import { loadConfig } from '../config.ts';
import { createEngine, type Engine } from '../engine.ts';
import { createOrg } from '../orgs.ts';
import { withTenantRaw } from '../db/tenant.ts';
import type { Job } from '../queue/queue.ts';
import { appendEvents, type EngineEvent } from './events.ts';
import { createRelay, startRelay, type Relay, type RelayConsumer } from './relay.ts';
import { dispatchConsumer, type EventJob } from './dispatch.ts';
import { dispatchRoutes } from '../../app/dispatch-routes.ts';

let h: Harness;
const relays: Relay[] = [];
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  for (const r of relays) await r.stop();
  await h?.close();
});

const uid = () => crypto.randomBytes(4).toString('hex');

function track(relay: Relay): Relay {
  relays.push(relay);
  return relay;
}

/** A consumer that records the decoded events of one org. */
function recorder(orgId: string, opts: { slowMs?: number; name?: string; into?: EngineEvent[] } = {}) {
  const got: EngineEvent[] = opts.into ?? [];
  const consumer: RelayConsumer = {
    name: opts.name ?? `rec-${uid()}`,
    filter: (row) => row.org_id === orgId,
    async deliver(rows, ctx) {
      if (opts.slowMs) await sleep(opts.slowMs);
      got.push(...(await ctx.decode(rows)));
    },
  };
  return { got, consumer };
}

/** Appends n events in transactions of perTx; returns their data.n in commit order. */
async function append(engine: Engine, orgId: string, n: number, type = 'test.event', perTx = 50): Promise<number[]> {
  const ns: number[] = [];
  for (let i = 0; i < n; i += perTx) {
    const chunk = Array.from({ length: Math.min(perTx, n - i) }, (_, k) => i + k);
    await engine.tenant(orgId, (tx) => appendEvents(tx, chunk.map((k) => ({ type, data: { n: k } }))));
    ns.push(...chunk);
  }
  return ns;
}

const ns = (events: EngineEvent[]) => events.map((e) => e.data.n as number);

test('each consumer gets every event once, decoded, in order, across several batches', async () => {
  const { orgId } = await h.newOrg();
  const other = await h.newOrg();
  const a = recorder(orgId);
  const b = recorder(orgId);
  const expected = await append(h.engine, orgId, 230);
  await append(h.engine, other.orgId, 20);
  const relay = track(createRelay(h.engine, [a.consumer, b.consumer], { batchSize: 40 }));
  await relay.start();
  expected.push(...(await append(h.engine, orgId, 120)));
  await waitFor('both consumers to catch up', () => a.got.length >= 350 && b.got.length >= 350);
  await relay.drain();
  assert.deepEqual(ns(a.got), expected);
  assert.deepEqual(ns(b.got), expected);
  assert.equal(new Set(a.got.map((e) => e.id)).size, 350);
  assert.ok(a.got.every((e) => e.orgId === orgId && e.type === 'test.event' && e.cursor));
  await relay.stop();
});

test('a NOTIFY wakes the relay long before the poll would', async () => {
  const { orgId } = await h.newOrg();
  const r = recorder(orgId);
  const relay = track(createRelay(h.engine, [r.consumer], { pollMs: 60_000 }));
  await relay.start();
  await relay.drain();
  const t0 = Date.now();
  await append(h.engine, orgId, 1);
  await waitFor('the woken relay', () => r.got.length === 1, 3_000);
  assert.ok(Date.now() - t0 < 3_000);
  await relay.stop();
});

test('two relays running together never deliver an event twice and keep the order', async () => {
  const { orgId } = await h.newOrg();
  const name = `shared-${uid()}`;
  const got: EngineEvent[] = [];
  const relaysHere = [0, 1].map(() =>
    track(createRelay(h.engine, [recorder(orgId, { name, slowMs: 5, into: got }).consumer], { batchSize: 25, pollMs: 50 })),
  );
  await Promise.all(relaysHere.map((r) => r.start()));
  const expected = await append(h.engine, orgId, 300, 'test.event', 10);
  await waitFor('all events', () => got.length >= 300, 15_000);
  await Promise.all(relaysHere.map((r) => r.drain()));
  await sleep(150);
  assert.equal(got.length, 300);
  assert.deepEqual(ns(got), expected);
  await Promise.all(relaysHere.map((r) => r.stop()));
});

test('a late commit is not skipped: the relay never reads past a transaction still open', async () => {
  const { orgId } = await h.newOrg();
  const r = recorder(orgId);
  const relay = track(createRelay(h.engine, [r.consumer], { pollMs: 20 }));
  await relay.start();
  let release!: () => void;
  const gate = new Promise<void>((res) => (release = res));
  let appended!: () => void;
  const t1Appended = new Promise<void>((res) => (appended = res));
  const t1 = h.engine.tenant(orgId, async (tx) => {
    await appendEvents(tx, [{ type: 'late.t1', data: {} }]);
    appended();
    await gate;
  });
  await t1Appended;
  const t2 = h.engine.tenant(orgId, (tx) => appendEvents(tx, [{ type: 'late.t2', data: {} }]));
  if (realServices()) {
    // PostgreSQL: T2 commits while T1 (older, smaller xid) is open; T2 is not settled yet.
    await t2;
    await relay.drain();
    await sleep(100);
    assert.deepEqual(r.got.map((e) => e.type), [], 'nothing past the open T1 is handed on');
  } else {
    // PGlite has one connection: T2 cannot even start before T1 ends, so commits stay in order.
    const state = await Promise.race([t2.then(() => 'committed'), sleep(150).then(() => 'waiting')]);
    assert.equal(state, 'waiting');
  }
  release();
  await t1;
  await t2;
  await waitFor('both events', () => r.got.length === 2);
  assert.deepEqual(r.got.map((e) => e.type), ['late.t1', 'late.t2']);
  await relay.stop();
});

test('a crash after delivery but before the cursor advanced re-delivers, and the job still runs once', async () => {
  const { orgId } = await h.newOrg();
  const queue = `crash-${uid()}`;
  const runs: Job<EventJob>[] = [];
  h.engine.queue.process<EventJob>(queue, async (job) => void runs.push(job));
  const inner = dispatchConsumer(h.engine, [{ queue, types: ['crash.event'] }]);
  let deliveries = 0;
  const crashing: RelayConsumer = {
    ...inner,
    name: `dispatch-${uid()}`,
    filter: (row) => row.org_id === orgId && inner.filter!(row),
    async deliver(rows, ctx) {
      await inner.deliver(rows, ctx);
      // The first delivery "dies" after the jobs are enqueued, before the cursor commit.
      if (++deliveries === 1) throw new Error('killed before advancing');
    },
  };
  await append(h.engine, orgId, 5, 'crash.event');
  const relay = track(createRelay(h.engine, [crashing], { pollMs: 50 }));
  await relay.start();
  await waitFor('the re-delivery', () => deliveries >= 2, 5_000);
  await waitFor('the jobs', () => runs.length >= 5);
  await relay.drain();
  await sleep(300);
  assert.equal(deliveries, 2);
  assert.equal(runs.length, 5, 'each job ran once');
  assert.equal(new Set(runs.map((j) => j.data.eventId)).size, 5);
  assert.ok(runs.every((j) => j.id === `${queue}:${j.data.eventId}` && j.data.orgId === orgId && j.name === 'crash.event'));
  await relay.stop();
});

test('a route with orgsFn makes jobs only for the orgs that listen (rules: an enabled rule; webhooks: a subscription)', async () => {
  const quiet = await h.newOrg();
  const ruled = await h.newOrg();
  const subscribed = await h.newOrg();
  const rule = await h.call(ruled.apiKey, 'POST', '/v1/rules', { name: 'Any', trigger: 'listen.event', actions: [{ type: 'tag', tags: ['x'] }] });
  assert.equal(rule.status, 201, JSON.stringify(rule.body));
  const sub = await h.call(subscribed.apiKey, 'POST', '/v1/subscriptions', { url: 'https://hooks.example.com/sb', eventTypes: ['listen.event'] });
  assert.equal(sub.status, 201, JSON.stringify(sub.body));
  const orgs = new Set([quiet.orgId, ruled.orgId, subscribed.orgId]);
  const rulesQ = `rules-${uid()}`;
  const hooksQ = `hooks-${uid()}`;
  const jobs: Record<string, string[]> = { [rulesQ]: [], [hooksQ]: [] };
  for (const q of [rulesQ, hooksQ]) h.engine.queue.process<EventJob>(q, async (job) => void jobs[q]!.push(job.data.orgId));
  const inner = dispatchConsumer(h.engine, [{ queue: rulesQ, orgsFn: 'sb_orgs_with_rules' }, { queue: hooksQ, orgsFn: 'sb_orgs_with_webhooks' }]);
  const consumer: RelayConsumer = { ...inner, name: `listeners-${uid()}`, filter: (row) => orgs.has(row.org_id) && row.type === 'listen.event' };
  for (const o of orgs) await append(h.engine, o, 2, 'listen.event');
  const relay = track(createRelay(h.engine, [consumer], { pollMs: 50 }));
  await relay.start();
  await waitFor('the jobs', () => jobs[rulesQ]!.length >= 2 && jobs[hooksQ]!.length >= 2);
  await relay.drain();
  await sleep(300);
  assert.deepEqual(jobs[rulesQ], [ruled.orgId, ruled.orgId]);
  assert.deepEqual(jobs[hooksQ], [subscribed.orgId, subscribed.orgId]);
  // A disabled rule no longer counts; the quiet org's events made no job at all.
  assert.equal((await h.call(ruled.apiKey, 'PATCH', `/v1/rules/${rule.body.id}`, { enabled: false })).status, 200);
  await append(h.engine, ruled.orgId, 1, 'listen.event');
  await relay.drain();
  await sleep(300);
  assert.equal(jobs[rulesQ]!.length, 2);
  await relay.stop();
});

test('events of an org whose keys were shredded are skipped without stalling the others', async () => {
  const gone = await h.newOrg();
  const live = await h.newOrg();
  const consumer = recorder(gone.orgId).consumer;
  const got: EngineEvent[] = [];
  consumer.filter = (row) => row.org_id === gone.orgId || row.org_id === live.orgId;
  consumer.deliver = async (rows, ctx) => void got.push(...(await ctx.decode(rows)));
  await append(h.engine, gone.orgId, 3);
  await append(h.engine, live.orgId, 2);
  await withTenantRaw(h.engine.db, gone.orgId, (trx) => h.engine.keyring.shred(trx, gone.orgId));
  const relay = track(createRelay(h.engine, [consumer]));
  await relay.start();
  await waitFor('the live org events', () => got.length === 2);
  await relay.drain();
  assert.ok(got.every((e) => e.orgId === live.orgId));
  await relay.stop();
});

test('startRelay dispatches an outbound message.created to the send queue and publishes to realtime', async () => {
  const { orgId } = await h.newOrg();
  const sends: Job<EventJob>[] = [];
  h.engine.queue.process<EventJob>('send', async (job) => {
    if (job.data.orgId === orgId) sends.push(job);
  });
  const live: EngineEvent[] = [];
  const unsubscribe = h.engine.realtime.subscribe(orgId, (e) => live.push(e));
  await h.engine.realtime.ready(orgId);
  const relay = track(await startRelay(h.engine, { routes: dispatchRoutes }));
  const ids = await h.engine.tenant(orgId, async (tx) => {
    await appendEvents(tx, [
      { type: 'message.created', subjectId: crypto.randomUUID(), data: { message: { direction: 'outbound', body: 'hi' } } },
      { type: 'message.created', subjectId: crypto.randomUUID(), data: { message: { direction: 'inbound', body: 'yo' } } },
      { type: 'conversation.updated', data: {} },
    ]);
    return (await tx.trx('events').orderBy('seq').select('id', 'type')).map((r: { id: string }) => r.id);
  });
  await waitFor('the live events', () => live.length === 3);
  await waitFor('the send job', () => sends.length === 1);
  await sleep(200);
  assert.equal(sends.length, 1);
  assert.deepEqual(Object.keys(sends[0].data).sort(), ['conversationId', 'cursor', 'eventId', 'orgId', 'subjectId', 'type']);
  assert.equal(sends[0].data.eventId, ids[0]);
  assert.deepEqual(live.map((e) => e.id), ids);
  assert.deepEqual(live[0].data, { message: { direction: 'outbound', body: 'hi' } });
  unsubscribe();
  await relay.stop();
});

test('outbox crash recovery: events committed with no relay running are dispatched once after a restart', async () => {
  // A persistent database (a PGlite directory, or its own PostgreSQL database) opened by
  // successive engines, as successive processes would.
  const fresh = await freshDatabaseUrl();
  const config = loadConfig(testEnv(fresh ? { DATABASE_URL: fresh.url } : {}));
  const open = () => createEngine(config, { pgliteDir: path.join(config.dataDir, 'pgdata') });
  const queue = `outbox-${uid()}`;
  const routes = [{ queue, types: ['outbox.event'] }];
  try {
    // Process 1 commits and "crashes" before any relay handed anything on.
    let engine = await open();
    const { org } = await createOrg(engine, { name: 'Outbox' });
    const expected = await append(engine, org.id, 7, 'outbox.event');
    await engine.close();

    // Process 2 starts its relay: everything pending is dispatched, each event once.
    engine = await open();
    const runs: Job<EventJob>[] = [];
    engine.queue.process<EventJob>(queue, async (job) => void runs.push(job));
    let relay = await startRelay(engine, { routes });
    await waitFor('the pending jobs', () => runs.length >= 7);
    await relay.drain();
    await sleep(200);
    assert.equal(runs.length, 7);
    assert.equal(new Set(runs.map((j) => j.data.eventId)).size, 7);
    await relay.stop();
    await engine.close();

    // Process 3: the cursor was committed, so nothing is handed on again.
    engine = await open();
    const again: Job[] = [];
    engine.queue.process(queue, async (job) => void again.push(job));
    relay = await startRelay(engine, { routes });
    await relay.drain();
    await sleep(200);
    assert.equal(again.length, 0);
    assert.equal(expected.length, 7);
    await relay.stop();
    await engine.close();
  } finally {
    await fresh?.drop();
    await dropRedisPrefix(config.redisPrefix);
    fs.rmSync(config.dataDir, { recursive: true, force: true });
  }
});
