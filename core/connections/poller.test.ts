import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { ConnectorError, defineConnector, type ExternalEvent, type NormalizedEvent, type PollResult } from '../../connectors/kit/index.ts';
import { startHarness, type Harness } from '../../test/harness.ts';
import { syncEvents } from '../../test/connections.ts';
import { runPollerOnce } from './poller.ts';

/**
 * The poller against a scripted provider (a connector defined here whose poll answers per cursor,
 * like a real API would) over the real database: cursors, dedupe, backoff, concurrency.
 */
type Script = (cursor: string | null, signal?: AbortSignal) => PollResult | Promise<PollResult>;
const scripts = new Map<string, Script>();
const calls = new Map<string, (string | null)[]>();

const feed = defineConnector({
  id: 'feedtest',
  version: '1.0.0',
  kind: 'vertical',
  displayName: 'Scripted feed',
  configSchema: { type: 'object', required: ['key'], properties: { key: { type: 'string' } } },
  secretsSchema: { type: 'object' },
  capabilities: ['events.emit'],
  manifest: {},
  poll: {
    intervalSeconds: 60,
    async run(cursor, ctx) {
      const key = (ctx.config as { key: string }).key;
      calls.set(key, [...(calls.get(key) ?? []), cursor]);
      return scripts.get(key)!(cursor, ctx.signal);
    },
  },
});

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  h.engine.connectors.register(feed);
});
afterAll(() => h?.close());

const ext = (id: string): ExternalEvent => ({ kind: 'external_event', type: 'job.updated', externalId: id, data: { job: { id } } });

async function setup(key: string, script: Script) {
  scripts.set(key, script);
  const { orgId, apiKey } = await h.newOrg();
  const res = await h.call(apiKey, 'POST', '/v1/connections', { connector: 'feedtest', name: 'Feed', config: { key } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const connectionId = res.body.id as string;
  const schedule = () => h.engine.tenant(orgId, (tx) => tx.trx('poll_schedules').where({ connection_id: connectionId }).first());
  const makeDue = () =>
    h.engine.tenant(orgId, (tx) => tx.trx('poll_schedules').where({ connection_id: connectionId }).update({ next_run_at: tx.trx.raw(`now() - interval '1 second'`) }).returning('connection_id'));
  const delaySeconds = async () => {
    const row = await h.engine.tenant(orgId, (tx) => tx.trx('poll_schedules').select(tx.trx.raw('extract(epoch from (next_run_at - now()))::float AS s')).where({ connection_id: connectionId }).first());
    return Number(row.s);
  };
  const jobEvents = async () => (await syncEvents(h, apiKey)).filter((e) => e.type === 'feedtest.job.updated').map((e) => e.data.job.id);
  return { orgId, apiKey, connectionId, schedule, makeDue, delaySeconds, jobEvents };
}

test('a page whose apply fails leaves the cursor where it was: the next run re-polls it and every event lands once', async () => {
  let firstTime = true;
  // A contract-breaking connector (a message among external events): valid per the schema, refused by the engine's ingest.
  const bad = { kind: 'message', channel: 'sms', from: { kind: 'phone', value: 'not a number' }, to: { address: '+14155550199' }, providerMessageId: 'x1', body: 'hi', media: [] } as NormalizedEvent as unknown as ExternalEvent;
  const s = await setup('crash', (cursor) => {
    if (cursor === null) {
      const page: PollResult = { events: firstTime ? [ext('A'), bad] : [ext('A'), ext('B')], cursor: 'c1' };
      firstTime = false;
      return page;
    }
    if (cursor === 'c1') return { events: [ext('C')], cursor: 'c2' };
    return { events: [], cursor: null };
  });
  const first = await runPollerOnce(h.engine);
  assert.ok(first.failed >= 1);
  let row = await s.schedule();
  assert.equal(row.cursor_enc, null, 'the cursor did not move');
  assert.equal(row.failures, 1);
  assert.match(row.last_error, /invalid_handle/);
  assert.equal(row.claim_id, null);
  assert.deepEqual(await s.jobEvents(), [], 'nothing of the failed page was applied');
  // GET …/health (the dashboard's Activity card) says so.
  const failing = (await h.call(s.apiKey, 'GET', `/v1/connections/${s.connectionId}/activity`)).body.poller;
  assert.equal(failing.healthy, false);
  assert.equal(failing.failures, 1);
  assert.equal(failing.cursor, null);
  assert.match(failing.lastError, /invalid_handle/);

  await runPollerOnce(h.engine);
  assert.deepEqual(calls.get('crash'), [null], 'backing off: not polled again before its time');
  await s.makeDue();
  await runPollerOnce(h.engine);
  await s.makeDue();
  await runPollerOnce(h.engine);
  assert.deepEqual(calls.get('crash'), [null, null, 'c1']);
  assert.deepEqual(await s.jobEvents(), ['A', 'B', 'C']);
  row = await s.schedule();
  assert.equal(row.failures, 0);
  assert.equal(row.last_error, null);
  assert.ok(!Buffer.from(row.cursor_enc).includes(Buffer.from('c2')), 'the cursor is stored sealed');
  const healthy = (await h.call(s.apiKey, 'GET', `/v1/connections/${s.connectionId}/activity`)).body.poller;
  assert.deepEqual({ healthy: healthy.healthy, failures: healthy.failures, cursor: healthy.cursor, lastError: healthy.lastError }, { healthy: true, failures: 0, cursor: 'c2', lastError: null });
  assert.ok(healthy.lastSuccessAt && healthy.lastRunAt && healthy.nextRunAt);

  // The provider answering the same page again (a re-poll after a crash) emits nothing twice.
  scripts.set('crash', () => ({ events: [ext('B'), ext('C')], cursor: 'c2' }));
  await s.makeDue();
  await runPollerOnce(h.engine);
  assert.deepEqual(await s.jobEvents(), ['A', 'B', 'C']);
});

test('hasMore polls the next page at once; then the connection waits its interval', async () => {
  const s = await setup('pages', (cursor) => {
    if (cursor === null) return { events: [ext('p1')], cursor: 'p1', hasMore: true };
    if (cursor === 'p1') return { events: [ext('p2')], cursor: 'p2', hasMore: false };
    return { events: [], cursor: null };
  });
  await runPollerOnce(h.engine);
  assert.deepEqual(calls.get('pages'), [null, 'p1']);
  assert.deepEqual(await s.jobEvents(), ['p1', 'p2']);
  const delay = await s.delaySeconds();
  assert.ok(delay > 50 && delay <= 60, `next run in ~60 s, got ${delay}`);
  await runPollerOnce(h.engine);
  assert.deepEqual(calls.get('pages'), [null, 'p1'], 'not due yet');
});

test('rate limits wait Retry-After without counting as failures; other failures back off exponentially', async () => {
  let mode: 'limited' | 'down' = 'limited';
  const s = await setup('backoff', () => {
    if (mode === 'limited') throw new ConnectorError('rate_limited', 'Too many requests', { retryAfterMs: 120_000, httpStatus: 429 });
    throw new ConnectorError('vendor_unavailable', 'Provider unavailable (HTTP 503)', { httpStatus: 503 });
  });
  await runPollerOnce(h.engine);
  let row = await s.schedule();
  assert.equal(row.failures, 0);
  assert.match(row.last_error, /^rate_limited/);
  let delay = await s.delaySeconds();
  assert.ok(delay > 110 && delay <= 120, `Retry-After honoured, got ${delay}`);
  mode = 'down';
  await s.makeDue();
  await runPollerOnce(h.engine);
  row = await s.schedule();
  assert.equal(row.failures, 1);
  delay = await s.delaySeconds();
  assert.ok(delay > 110 && delay <= 120, `60 s × 2, got ${delay}`);
  await s.makeDue();
  await runPollerOnce(h.engine);
  assert.equal((await s.schedule()).failures, 2);
  delay = await s.delaySeconds();
  assert.ok(delay > 230 && delay <= 240, `60 s × 4, got ${delay}`);
});

test('two pollers at once: every page is polled once and every event lands once; a disabled connection is not polled', async () => {
  const s = await setup('race', async (cursor) => {
    await new Promise((r) => setTimeout(r, 20));
    const n = cursor === null ? 0 : Number(cursor.slice(1));
    return { events: [ext(`r${n}`)], cursor: `r${n + 1}`, hasMore: n < 4 };
  });
  await Promise.all([runPollerOnce(h.engine), runPollerOnce(h.engine), runPollerOnce(h.engine)]);
  assert.deepEqual(calls.get('race'), [null, 'r1', 'r2', 'r3', 'r4']);
  assert.deepEqual(await s.jobEvents(), ['r0', 'r1', 'r2', 'r3', 'r4']);

  await h.call(s.apiKey, 'PATCH', `/v1/connections/${s.connectionId}`, { status: 'disabled' });
  await s.makeDue();
  await runPollerOnce(h.engine);
  assert.equal(calls.get('race')!.length, 5);
});

test('a malformed page (an event outside the normalized schema) is refused whole; the cursor stays', async () => {
  const s = await setup('malformed', () => ({ events: [ext('m1'), { kind: 'external_event', type: 'Job Updated!', data: {} } as ExternalEvent], cursor: 'm2' }));
  await runPollerOnce(h.engine);
  const row = await s.schedule();
  assert.equal(row.cursor_enc, null);
  assert.equal(row.failures, 1);
  assert.match(row.last_error, /^invalid_request: The connector returned an invalid poll page: poll page event 1/);
  assert.deepEqual(await s.jobEvents(), []);
});

test('a page that never answers is given up at its deadline (ctx.signal): the run goes on, the connection backs off, the cursor stays', async () => {
  const s = await setup('hang', (cursor, signal) =>
    cursor === null
      ? new Promise<PollResult>((_resolve, reject) => signal!.addEventListener('abort', () => reject(new ConnectorError('vendor_unavailable', 'the request was aborted'))))
      : { events: [], cursor: null },
  );
  const run = await runPollerOnce(h.engine, { pageTimeoutMs: 300 });
  assert.ok(run.failed >= 1);
  const row = await s.schedule();
  assert.equal(row.cursor_enc, null);
  assert.equal(row.failures, 1);
  assert.match(row.last_error, /vendor_unavailable/);
  assert.equal(row.claim_id, null);
});
