import { test, onTestFinished } from 'vitest';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import pg from 'pg';
import { api, cliEnv, freePort, startCli, startWorker, type Server, type Worker } from '../cli/testing.ts';
import { ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER, postTwilio } from './connections.ts';
import { realServices } from './harness.ts';
import { loadConfig } from '../core/config.ts';
import { createEngine, type Engine } from '../core/engine.ts';
import { createOrg } from '../core/orgs.ts';
import { dropRedisPrefix } from './redis.ts';
import { waitFor } from './wait.ts';
import { readFeed, realtimeClient, repeats, runConcurrently, webhookReceiver, type FeedEvent } from './cluster.ts';

/**
 * Production mode on one box as it runs in a cluster: two API processes (`switchboard start`) and
 * two workers (`switchboard worker`) over one PostgreSQL database and one Redis prefix. Inbound
 * messages (half POST /v1/messages, half Twilio-signed webhooks) go through both API processes,
 * many in flight; mid-load one worker and then one API process are killed with SIGKILL. Then:
 * - every acknowledged message is stored once and readable through the API;
 * - a request that got no answer (its process died) left its message whole or not at all, and
 *   the provider's retry to the survivor stores it exactly once;
 * - /v1/sync paged from the start holds every event of the database exactly once;
 * - a WebSocket client on either process sees messages posted through the other, and the one on
 *   the survivor gets every message.created exactly once across the relay crash;
 * - after the kills the survivors still relay, run rules and deliver webhooks.
 * Waits are conditions with deadlines; nothing asserts a duration.
 */
const LOAD = 120;
const IN_FLIGHT = 16;
const CUSTOMERS = 8; // few senders, so concurrent requests race on the same contacts and conversations

// Four processes booting at once on a busy 2-core CI box take a while (vitest.config.ts).
const BOOT_MS = 150_000;

test('2 API processes + 2 workers: kill -9 of a worker and of an API process mid-load loses no acknowledged message, repeats no event, and the survivors keep working', async ({ skip }) => {
  skip(!realServices(), 'PostgreSQL + Redis only: embedded mode is one process with in-process queue and realtime');
  const t0 = Date.now();
  const timings: string[] = [];
  const mark = (what: string) => timings.push(`${what} ${((Date.now() - t0) / 1000).toFixed(1)}s`);

  const ctx = await cliEnv();
  Object.assign(ctx.env, {
    SWITCHBOARD_MASTER_KEY: crypto.randomBytes(32).toString('base64'),
    // One public URL for every process, as behind a load balancer: signatures are made over it
    // whichever process a request reaches.
    PUBLIC_URL: 'https://switchboard.test',
    WEBHOOKS_ALLOW_PRIVATE: 'true',
  });
  const db = new pg.Client({ connectionString: ctx.env.DATABASE_URL });
  const receiver = await webhookReceiver();
  const procs: ChildProcess[] = [];
  let engine: Engine | undefined;
  onTestFinished(async () => {
    await Promise.all(
      procs.map((child) => (child.exitCode === null && child.signalCode === null ? new Promise((r) => (child.once('close', r), child.kill('SIGKILL'))) : null)),
    );
    await engine?.close();
    await db.end().catch(() => {});
    await receiver.close();
    await dropRedisPrefix(ctx.env.REDIS_PREFIX!);
    await ctx.dispose();
    console.log(`multi-process test: ${timings.join(', ')}`);
  });

  // All four start together; the first to take the migration lock migrates, the others wait for it.
  // The test's own engine (opened beside them) only creates the org.
  const [engineStarted, ...started] = await Promise.allSettled([
    createEngine(loadConfig(ctx.env)),
    startCli({ ...ctx.env, PORT: String(await freePort()) }, BOOT_MS),
    startCli({ ...ctx.env, PORT: String(await freePort()) }, BOOT_MS),
    startWorker(ctx.env, BOOT_MS),
    startWorker(ctx.env, BOOT_MS),
  ] as const);
  if (engineStarted.status === 'fulfilled') engine = engineStarted.value;
  for (const s of started) if (s.status === 'fulfilled') procs.push(s.value.child);
  const failed = [engineStarted, ...started].find((s) => s.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  const [a, b, w1] = started.map((s) => (s as PromiseFulfilledResult<Server | Worker>).value) as [Server, Server, Worker, Worker];
  await db.connect();
  mark('4 processes up');

  // The org, a Twilio connection, a webhook subscription and a rule, through API process A.
  const { org, apiKey } = await createOrg(engine!, { name: 'Multi-process' });
  const orgId = org.id;
  const conn = await api(a.url, apiKey, 'POST', '/v1/connections', {
    wire: false,
    connector: 'twilio',
    name: 'Twilio',
    config: { accountSid: ACCOUNT_SID, fromNumbers: [OUR_NUMBER] },
    secrets: { authToken: AUTH_TOKEN },
  });
  assert.equal(conn.status, 201, conn.text);
  const sub = await api(a.url, apiKey, 'POST', '/v1/subscriptions', { url: receiver.url, eventTypes: ['message.created'] });
  assert.equal(sub.status, 201, sub.text);
  const rule = await api(b.url, apiKey, 'POST', '/v1/rules', { name: 'Seen', trigger: 'message.received', actions: [{ type: 'emit_event', name: 'mp_seen' }] });
  assert.equal(rule.status, 201, rule.text);
  const inboundPath = new URL(conn.json.inboundUrl).pathname;

  /** Message i: even ones through POST /v1/messages (chat, externalId), odd ones as Twilio SMS webhooks (MessageSid). */
  const keyOf = (i: number) => (i % 2 ? `SM${crypto.createHash('md5').update(`${orgId}/${i}`).digest('hex')}` : `mp-${i}`);
  const bodyOf = (i: number) => `load ${keyOf(i)}`;
  async function post(i: number, baseUrl: string, customer = `c${i % CUSTOMERS}`): Promise<{ status?: number; error?: string }> {
    try {
      if (i % 2 === 0) {
        const from = { handle: { kind: 'email', value: `${customer}@example.com` } };
        const res = await api(baseUrl, apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from, body: bodyOf(i), externalId: keyOf(i) });
        return { status: res.status };
      }
      const phone = `+1415555${String(1000 + (crypto.createHash('md5').update(customer).digest()[0]! % 9000)).padStart(4, '0')}`;
      const params = { MessageSid: keyOf(i), SmsMessageSid: keyOf(i), AccountSid: ACCOUNT_SID, From: phone, To: OUR_NUMBER, Body: bodyOf(i), NumMedia: '0', NumSegments: '1', ApiVersion: '2010-04-01' };
      const res = await postTwilio(baseUrl + inboundPath, params, { signedUrl: conn.json.inboundUrl });
      return { status: res.status };
    } catch (err) {
      return { error: (err as Error).message };
    }
  }

  // Realtime across processes: a client on A sees what came in through B, and the other way round.
  const wsA = await realtimeClient(a.url, apiKey);
  const wsB = await realtimeClient(b.url, apiKey);
  const warmUp = [0, 1, 2, 3];
  for (const i of warmUp) assert.equal(String((await post(i, i < 2 ? b.url : a.url)).status)[0], '2');
  const createdIn = (events: { type: string }[]) => events.filter((e) => e.type === 'message.created').length;
  await waitFor('message.created of the 4 warm-up messages on both sockets', () => createdIn(wsA.events) === 4 && createdIn(wsB.events) === 4, 15_000, 20);
  mark('realtime across processes');

  // The load: through both API processes, IN_FLIGHT at once. A third of the way in, worker 1 is
  // killed; two thirds in, API process B (with requests in flight). After that the "load
  // balancer" sends everything to A.
  const outcomes = new Map<number, { target: 'A' | 'B'; status?: number; error?: string; afterKill: boolean }>();
  let acked = 0;
  let bDead = false;
  const kill = (p: Server | Worker) => p.child.kill('SIGKILL');
  await runConcurrently(LOAD, IN_FLIGHT, async (n) => {
    const i = warmUp.length + n;
    const target = n % 2 && !bDead ? 'B' : 'A';
    const afterKill = bDead;
    const r = await post(i, target === 'A' ? a.url : b.url);
    outcomes.set(i, { target, afterKill, ...r });
    if (r.status && r.status < 300) acked++;
    if (acked === Math.floor(LOAD / 3) && w1.child.exitCode === null) kill(w1);
    if (acked === Math.floor((2 * LOAD) / 3) && !bDead) {
      bDead = true;
      kill(b);
    }
  });
  mark(`load of ${LOAD} done`);

  const all = [...outcomes.entries()];
  const unanswered = all.filter(([, o]) => o.status === undefined);
  assert.deepEqual(all.filter(([, o]) => o.target === 'A' && !(o.status! >= 200 && o.status! < 300)), [], 'every request to the surviving API process is acknowledged');
  assert.deepEqual(all.filter(([, o]) => o.status !== undefined && !(o.status >= 200 && o.status < 300)), [], 'no request is refused: those that fail get no answer');
  assert.ok(w1.child.signalCode === 'SIGKILL' || (await w1.exited) === null, 'worker 1 was killed mid-load');
  assert.ok(bDead, 'API process B was killed mid-load');
  assert.ok(all.filter(([, o]) => o.afterKill && o.status).length > 0, 'the load went on after the kills');

  // A request without an answer: its message is whole (message, conversation, message.created)
  // or absent. Then the provider retries it against the survivor, which stores it once.
  const stored = async (key: string) =>
    (
      await db.query(
        `SELECT m.id, (SELECT count(*)::int FROM conversations c WHERE c.id = m.conversation_id) AS conversations,
                (SELECT count(*)::int FROM events e WHERE e.type = 'message.created' AND e.subject_id = m.id) AS created
           FROM messages m WHERE m.org_id = $1 AND m.provider_message_id = $2`,
        [orgId, key],
      )
    ).rows as { id: string; conversations: number; created: number }[];
  for (const [i] of unanswered) {
    const rows = await stored(keyOf(i));
    assert.ok(rows.length <= 1, `message ${i} stored at most once`);
    for (const r of rows) assert.deepEqual([r.conversations, r.created], [1, 1], `unanswered message ${i} is whole`);
    const retry = await post(i, a.url);
    assert.ok(retry.status! >= 200 && retry.status! < 300, `the retry of ${i} is acknowledged (${JSON.stringify(retry)})`);
  }
  mark(`${unanswered.length} unanswered requests checked and retried`);

  // Every message sent is stored exactly once.
  const sent = [...warmUp, ...outcomes.keys()];
  const keys = sent.map(keyOf);
  const { rows: messages } = await db.query(`SELECT id, provider_message_id AS key FROM messages WHERE org_id = $1`, [orgId]);
  assert.deepEqual(repeats(messages.map((m) => m.key)), [], 'no message is stored twice');
  assert.deepEqual(new Set(messages.map((m) => m.key)), new Set(keys), 'every message is stored');

  // /v1/sync from the start, in pages of 100: every event of the database exactly once.
  let feed: FeedEvent[] = [];
  const eventIds = async () => new Set((await db.query(`SELECT id FROM events WHERE org_id = $1`, [orgId])).rows.map((r) => r.id as string));
  await waitFor(
    '/v1/sync to hold every event of the database',
    async () => {
      const inDb = await eventIds();
      feed = await readFeed(a.url, apiKey);
      return feed.length >= inDb.size && [...inDb].every((id) => feed.some((e) => e.id === id));
    },
    15_000,
    200,
  );
  assert.deepEqual(repeats(feed.map((e) => e.id)), [], 'no event twice in /v1/sync');
  const createdEvents = feed.filter((e) => e.type === 'message.created');
  assert.deepEqual(new Set(createdEvents.map((e) => e.subjectId)), new Set(messages.map((m) => m.id)), 'one message.created per stored message');
  assert.equal(createdEvents.length, messages.length);
  mark('/v1/sync checked');

  // Readable through the API, with the body that was sent.
  const idByKey = new Map(messages.map((m) => [m.key as string, m.id as string]));
  await runConcurrently(sent.length, 16, async (n) => {
    const i = sent[n]!;
    const res = await api(a.url, apiKey, 'GET', `/v1/messages/${idByKey.get(keyOf(i))}`);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.body, bodyOf(i));
  });
  mark('every message read back');

  // The socket on the survivor got every message.created exactly once, across the relay crash.
  await waitFor('every message.created on the socket of API process A', () => createdIn(wsA.events) >= createdEvents.length, 15_000, 50);
  assert.deepEqual(repeats(wsA.events.map((e) => e.id)), [], 'no frame twice');
  assert.deepEqual(new Set(wsA.events.filter((e) => e.type === 'message.created').map((e) => e.id)), new Set(createdEvents.map((e) => e.id)));
  assert.ok(wsB.closed, "B's socket closed with its process");
  mark('realtime checked');

  // After the kills the survivors keep working: new conversations (so no delivery waits behind one
  // the killed worker held) get their rule run and their webhook delivered.
  const after = [LOAD + 100, LOAD + 101, LOAD + 102, LOAD + 103];
  for (const i of after) assert.equal(String((await post(i, a.url, `after-${i}`)).status)[0], '2');
  const afterIds = new Set((await db.query(`SELECT id FROM messages WHERE org_id = $1 AND provider_message_id = ANY($2)`, [orgId, after.map(keyOf)])).rows.map((r) => r.id));
  const afterEvents = (await waitFor('message.created of the messages after the kills', async () => {
    const found = (await readFeed(a.url, apiKey)).filter((e) => e.type === 'message.created' && afterIds.has(e.subjectId));
    return found.length === after.length ? found : null;
  }, 15_000, 100))!;
  await waitFor('the rule to run for each message after the kills', async () => {
    const seen = (await readFeed(a.url, apiKey)).filter((e) => e.type === 'rule.mp_seen').map((e) => e.data.sourceEventId);
    return afterEvents.every((e) => seen.includes(e.id));
  }, 20_000, 100);
  await waitFor('the webhook of each message after the kills', () => afterEvents.every((e) => receiver.ids.includes(e.id)), 20_000, 50);
  await waitFor('the messages after the kills on the socket of A', () => afterEvents.every((e) => wsA.events.some((f) => f.id === e.id)), 15_000, 50);
  // Rules run once per event even when a worker dies mid-job (its job runs again elsewhere).
  const ruleRuns = (await readFeed(a.url, apiKey)).filter((e) => e.type === 'rule.mp_seen').map((e) => e.data.sourceEventId);
  assert.deepEqual(repeats(ruleRuns), [], 'a rule ran twice for one event');
  assert.equal((await api(a.url, null, 'GET', '/v1/health')).json.status, 'ok');
  mark('survivors checked');
  wsA.close();
  // Four process boots dominate: a quiet box runs this in well under a minute, a saturated one in minutes.
}, 420_000);
