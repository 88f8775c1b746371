import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { v7 as uuidv7 } from 'uuid';
import { Webhook } from 'standardwebhooks';
import { startHarness, type Harness } from '../../test/harness.ts';
import { startRelay, type Relay } from '../events/relay.ts';
import { appendEvent } from '../events/events.ts';
import { ingestInbound } from '../messages/ingest.ts';
import { startWebhookWorker, type WebhookWorker } from './worker.ts';
import { startReceiver, type Receiver } from './test-receiver.ts';
import { dispatchRoutes } from '../../app/dispatch-routes.ts';

let h: Harness;
let relay: Relay;
let worker: WebhookWorker;
const receivers: Receiver[] = [];

beforeAll(async () => {
  h = await startHarness({ env: { WEBHOOKS_ALLOW_PRIVATE: 'true', RELAY_POLL_MS: '50' } });
  relay = await startRelay(h.engine, { routes: dispatchRoutes });
  // Tiny delays instead of Svix's 5 s … 10 h; same number of attempts.
  worker = startWebhookWorker(h.engine, { scheduleMs: [0, 30, 30, 30, 30, 30, 30, 30], timeoutMs: 3000 });
});

afterAll(async () => {
  await relay?.stop();
  await worker?.stop();
  for (const r of receivers) await r.close();
  await h?.close();
});

async function receiver(...args: Parameters<typeof startReceiver>) {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}

async function subscribe(apiKey: string, body: Record<string, unknown>) {
  const res = await h.call(apiKey, 'POST', '/v1/subscriptions', body);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { id: string; secret: string };
}

async function conversation(orgId: string, channel = 'sms', metadata: Record<string, unknown> = {}) {
  const id = uuidv7();
  await h.engine.tenant(orgId, (tx) => tx.trx('conversations').insert({ id, org_id: orgId, channel, metadata: JSON.stringify(metadata) }));
  return id;
}

/** Appends one event and returns its id (through the spine, like every state change). */
async function emit(orgId: string, type: string, conversationId: string | null, data: Record<string, unknown> = {}) {
  return h.engine.tenant(orgId, async (tx) => {
    await appendEvent(tx, { type, conversationId, data });
    const { rows } = await tx.trx.raw(`SELECT id FROM events ORDER BY seq DESC LIMIT 1`);
    return rows[0].id as string;
  });
}

const verify = (secret: string, r: { body: string; headers: Record<string, string> }) => new Webhook(secret).verify(r.body, r.headers);

async function deliveries(apiKey: string, subId: string) {
  const res = await h.call(apiKey, 'GET', `/v1/subscriptions/${subId}/deliveries`);
  assert.equal(res.status, 200);
  return res.body.data as any[];
}

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('a signed message.created survives two 500s: three attempts, one webhook-id, every one verifies', async () => {
  const { orgId, apiKey } = await h.newOrg();
  let failures = 0;
  const r = await receiver((req) => (req.json?.type === 'message.created' && failures++ < 2 ? { status: 500, body: 'x'.repeat(3000) } : { status: 200, body: 'ok' }));
  const sub = await subscribe(apiKey, { url: `${r.url}/hook`, eventTypes: ['message.*'] });
  assert.match(sub.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  await h.engine.tenant(orgId, (tx) => ingestInbound(tx, { channel: 'sms', from: { handle: { kind: 'phone', value: '+14155550101' } }, to: { address: '+14155550199' }, body: 'Leak under the sink' }));
  const got = await r.waitFor((all) => all.filter((x) => x.json?.type === 'message.created').length === 3);
  const created = got.filter((x) => x.json.type === 'message.created');
  assert.deepEqual(created.map((x) => x.status), [500, 500, 200]);
  assert.equal(new Set(created.map((x) => x.headers['webhook-id'])).size, 1, 'the same webhook-id on every attempt');
  for (const x of created) {
    assert.equal(x.headers['content-type'], 'application/json');
    const payload = verify(sub.secret, x) as any;
    assert.equal(payload.type, 'message.created');
    assert.equal(payload.orgId, orgId);
    assert.equal(payload.data.message.body, 'Leak under the sink');
    assert.equal(typeof payload.sequence, 'number');
    assert.ok(payload.conversationId);
  }
  assert.throws(() => verify(`whsec_${Buffer.alloc(32, 1).toString('base64')}`, created[0]!), /signature/i);
  const list = await until(() => deliveries(apiKey, sub.id), (l) => l.some((d) => d.eventType === 'message.created' && d.status === 'succeeded'));
  const d = list.find((x) => x.eventType === 'message.created');
  assert.equal(d.id, created[0]!.headers['webhook-id']);
  assert.equal(d.attempts, 3);
  assert.deepEqual(d.attemptLog.map((a: any) => [a.statusCode, a.outcome]), [[500, 'retry'], [500, 'retry'], [200, 'succeeded']]);
  assert.equal(d.attemptLog[0].responseBody.length, 2048, 'response bodies are truncated to 2 KB');
  assert.equal(d.attemptLog[0].errorClass, 'http_status');
  assert.ok(!JSON.stringify(d).includes('Leak under the sink'), 'the log never stores our payload');
  const one = await h.call(apiKey, 'GET', `/v1/subscriptions/${sub.id}/deliveries/${d.id}`);
  assert.equal(one.body.attempts, 3);
});

test('410 disables the endpoint; 400 fails the delivery without retry', async () => {
  const { apiKey } = await h.newOrg();
  const gone = await receiver(() => ({ status: 410 }));
  const bad = await receiver(() => ({ status: 400, body: 'nope' }));
  const s410 = await subscribe(apiKey, { url: gone.url, eventTypes: ['*'] });
  const s400 = await subscribe(apiKey, { url: bad.url, eventTypes: ['*'] });
  const t410 = await h.call(apiKey, 'POST', `/v1/subscriptions/${s410.id}/test`);
  assert.equal(t410.status, 202);
  assert.equal(t410.body.eventType, 'webhook.test');
  const t400 = await h.call(apiKey, 'POST', `/v1/subscriptions/${s400.id}/test`);
  const sub410 = await until(() => h.call(apiKey, 'GET', `/v1/subscriptions/${s410.id}`), (r) => r.body.status === 'disabled');
  assert.equal(sub410.body.enabled, false);
  assert.match(sub410.body.disabledReason, /410/);
  const d400 = await until(() => h.call(apiKey, 'GET', `/v1/subscriptions/${s400.id}/deliveries/${t400.body.id}`), (r) => r.body.status === 'failed');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(bad.received.length, 1, 'a 400 is not retried');
  assert.equal(d400.body.attempts, 1);
  assert.equal(d400.body.lastStatusCode, 400);
  assert.equal((await h.call(apiKey, 'GET', `/v1/subscriptions/${s400.id}`)).body.status, 'active', 'a 400 does not disable');
  assert.equal(gone.received.length, 1);
  assert.equal(gone.received[0]!.json.type, 'webhook.test');
});

test('event-type wildcards and filters pick the events each endpoint gets', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const r = await receiver();
  await subscribe(apiKey, { url: `${r.url}/exact`, eventTypes: ['conversation.created'] });
  await subscribe(apiKey, { url: `${r.url}/unit`, eventTypes: ['message.*'], filter: { metadata: { unit: '4B' } } });
  await subscribe(apiKey, { url: `${r.url}/email`, eventTypes: ['*'], filter: { channel: 'email' } });
  const all = await subscribe(apiKey, { url: `${r.url}/all`, eventTypes: ['*'] });
  const c4b = await conversation(orgId, 'sms', { unit: '4B' });
  const c5a = await conversation(orgId, 'email', { unit: '5A' });
  const e1 = await emit(orgId, 'conversation.created', c4b);
  const e2 = await emit(orgId, 'message.created', c4b);
  const e3 = await emit(orgId, 'message.status_changed', c5a);
  const e4 = await emit(orgId, 'messages.other', c4b);
  const e5 = await emit(orgId, 'contact.created', null);
  await r.waitFor((all) => all.filter((x) => x.path === '/all').length === 5);
  await relay.drain();
  await new Promise((res) => setTimeout(res, 300));
  const by = (p: string) => r.received.filter((x) => x.path === p).map((x) => x.json.id).sort();
  assert.deepEqual(by('/exact'), [e1]);
  assert.deepEqual(by('/unit'), [e2]);
  assert.deepEqual(by('/email'), [e3]);
  assert.deepEqual(by('/all'), [e1, e2, e3, e4, e5].sort());
  // The delivery log pages newest delivery first, each delivery once. (Deliveries are created in
  // feed order, which need not be the order the test wrote the events in: see the settled horizon.)
  const seen: string[] = [];
  const created: number[] = [];
  let cursor = '';
  for (let page = 0; page < 5; page++) {
    const res = await h.call(apiKey, 'GET', `/v1/subscriptions/${all.id}/deliveries?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(res.status, 200);
    seen.push(...res.body.data.map((d: any) => d.eventId));
    created.push(...res.body.data.map((d: any) => new Date(d.createdAt).getTime()));
    if (!res.body.hasMore) break;
    cursor = res.body.nextCursor;
  }
  assert.deepEqual([...seen].sort(), [e1, e2, e3, e4, e5].sort());
  assert.deepEqual(created, [...created].sort((a, b) => b - a), 'newest first');
});

test('a rotated secret: both signatures during the overlap, the old secret still verifies; secrets never shown again', async () => {
  const { apiKey } = await h.newOrg();
  const r = await receiver();
  const sub = await subscribe(apiKey, { url: r.url, eventTypes: ['*'], description: 'rotation' });
  for (const res of [await h.call(apiKey, 'GET', `/v1/subscriptions/${sub.id}`), await h.call(apiKey, 'GET', '/v1/subscriptions')]) {
    assert.equal(res.status, 200);
    assert.ok(!JSON.stringify(res.body).includes('whsec_'), 'no secret after create');
  }
  const rotated = await h.call(apiKey, 'POST', `/v1/subscriptions/${sub.id}/rotate-secret`);
  assert.equal(rotated.status, 200);
  assert.notEqual(rotated.body.secret, sub.secret);
  assert.match(rotated.body.secret, /^whsec_/);
  await h.call(apiKey, 'POST', `/v1/subscriptions/${sub.id}/test`);
  const [req] = await r.waitFor((all) => all.length === 1);
  assert.equal(req!.headers['webhook-signature']!.split(' ').length, 2);
  assert.equal((verify(sub.secret, req!) as any).type, 'webhook.test', 'a receiver still on the old secret verifies');
  assert.equal((verify(rotated.body.secret, req!) as any).type, 'webhook.test');
  assert.ok(!JSON.stringify((await h.call(apiKey, 'GET', `/v1/subscriptions/${sub.id}`)).body).includes('whsec_'));
  const log = await h.call(apiKey, 'GET', '/v1/audit');
  assert.equal(log.status, 200);
  const actions = log.body.data.filter((e: any) => e.target?.id === sub.id).map((e: any) => e.action);
  assert.deepEqual(actions.sort(), ['subscription.created', 'subscription.secret_rotated']);
  assert.ok(!JSON.stringify(log.body).includes('whsec_'), 'secrets never reach the audit trail');
});

test('per conversation and endpoint, a later event waits for the earlier one', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const cx = await conversation(orgId);
  const cy = await conversation(orgId);
  let failures = 0;
  // The first two requests about cx fail: by the ordering rule they must both be x1's.
  const r = await receiver((req) => (req.json.conversationId === cx && failures++ < 2 ? { status: 503 } : { status: 200 }));
  await subscribe(apiKey, { url: r.url, eventTypes: ['message.*'] });
  const x1 = await emit(orgId, 'message.created', cx);
  const x2 = await emit(orgId, 'message.created', cx);
  const y1 = await emit(orgId, 'message.created', cy);
  const x3 = await emit(orgId, 'message.created', cx);
  await r.waitFor((all) => all.filter((x) => x.status === 200).length === 4);
  const xs = r.received.filter((x) => x.json.conversationId === cx).map((x) => [x.json.id, x.status]);
  assert.deepEqual(xs, [[x1, 503], [x1, 503], [x1, 200], [x2, 200], [x3, 200]]);
  const seqs = r.received.filter((x) => x.status === 200 && x.json.conversationId === cx).map((x) => x.json.sequence);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'sequence increases with the feed');
  assert.ok(r.received.some((x) => x.json.id === y1));
});

test('manual redelivery sends a failed delivery again with the same webhook-id', async () => {
  const { apiKey } = await h.newOrg();
  const r = await receiver(() => ({ status: 422 }));
  const sub = await subscribe(apiKey, { url: r.url, eventTypes: ['*'] });
  const t = await h.call(apiKey, 'POST', `/v1/subscriptions/${sub.id}/test`);
  await until(() => h.call(apiKey, 'GET', `/v1/subscriptions/${sub.id}/deliveries/${t.body.id}`), (x) => x.body.status === 'failed');
  r.respond = () => ({ status: 204 });
  const again = await h.call(apiKey, 'POST', `/v1/subscriptions/${sub.id}/deliveries/${t.body.id}/redeliver`);
  assert.equal(again.status, 202);
  assert.equal(again.body.status, 'pending');
  const d = await until(() => h.call(apiKey, 'GET', `/v1/subscriptions/${sub.id}/deliveries/${t.body.id}`), (x) => x.body.status === 'succeeded');
  assert.equal(d.body.attempts, 2);
  assert.deepEqual(r.received.map((x) => x.headers['webhook-id']), [t.body.id, t.body.id]);
  const pending = await h.call(apiKey, 'GET', `/v1/subscriptions/${sub.id}/deliveries?status=succeeded`);
  assert.deepEqual(pending.body.data.map((x: any) => x.id), [t.body.id]);
});

test('cross-tenant ids answer 404; URLs and event types are validated', async () => {
  const a = await h.newOrg();
  const b = await h.newOrg();
  const r = await receiver();
  const sub = await subscribe(a.apiKey, { url: r.url, eventTypes: ['*'] });
  const t = await h.call(a.apiKey, 'POST', `/v1/subscriptions/${sub.id}/test`);
  for (const [method, path] of [
    ['GET', `/v1/subscriptions/${sub.id}`],
    ['PATCH', `/v1/subscriptions/${sub.id}`],
    ['DELETE', `/v1/subscriptions/${sub.id}`],
    ['POST', `/v1/subscriptions/${sub.id}/rotate-secret`],
    ['POST', `/v1/subscriptions/${sub.id}/test`],
    ['GET', `/v1/subscriptions/${sub.id}/deliveries`],
    ['GET', `/v1/subscriptions/${sub.id}/deliveries/${t.body.id}`],
    ['POST', `/v1/subscriptions/${sub.id}/deliveries/${t.body.id}/redeliver`],
  ] as const) {
    const res = await h.call(b.apiKey, method, path, method === 'PATCH' ? { enabled: false } : undefined);
    assert.equal(res.status, 404, `${method} ${path}`);
  }
  assert.equal((await h.call(b.apiKey, 'GET', '/v1/subscriptions')).body.data.length, 0);
  for (const [body, field] of [
    [{ url: 'http://example.com/hook', eventTypes: ['*'] }, '/url'],
    [{ url: 'ftp://example.com/hook', eventTypes: ['*'] }, '/url'],
    [{ url: 'not a url', eventTypes: ['*'] }, '/url'],
    [{ url: 'https://example.com/hook', eventTypes: ['message.*.x'] }, '/eventTypes/0'],
  ] as const) {
    const res = await h.call(a.apiKey, 'POST', '/v1/subscriptions', body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.body.error.details[0].field, field);
  }
  assert.equal((await h.call(a.apiKey, 'POST', '/v1/subscriptions', { url: 'https://example.com', eventTypes: ['*'], extra: 1 })).status, 400);
  const patched = await h.call(a.apiKey, 'PATCH', `/v1/subscriptions/${sub.id}`, { enabled: false });
  assert.equal(patched.body.status, 'disabled');
  assert.equal((await h.call(a.apiKey, 'DELETE', `/v1/subscriptions/${sub.id}`)).status, 204);
  assert.equal((await h.call(a.apiKey, 'GET', `/v1/subscriptions/${sub.id}`)).status, 404);
});

test('safe mode redacts message text in payloads', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const org = await h.call(apiKey, 'PATCH', '/v1/org', { settings: { safeMode: { enabled: true, apply: 'before_egress' } } });
  assert.equal(org.status, 200, JSON.stringify(org.body));
  const r = await receiver();
  const sub = await subscribe(apiKey, { url: r.url, eventTypes: ['message.created'] });
  const conv = await conversation(orgId);
  await emit(orgId, 'message.created', conv, { message: { id: uuidv7(), body: 'card 4111 1111 1111 1111 thanks', direction: 'inbound' } });
  const [req] = await r.waitFor((all) => all.length === 1);
  const payload = verify(sub.secret, req!) as any;
  assert.ok(!payload.data.message.body.includes('4111 1111 1111 1111'), payload.data.message.body);
  assert.match(payload.data.message.body, /thanks/);
});

test('an endpoint that keeps failing: the schedule runs out, and after 5 days of failures it is disabled', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const r = await receiver(() => ({ status: 503 }));
  const sub = await subscribe(apiKey, { url: r.url, eventTypes: ['*'] });
  const t = await h.call(apiKey, 'POST', `/v1/subscriptions/${sub.id}/test`);
  const d = await until(() => h.call(apiKey, 'GET', `/v1/subscriptions/${sub.id}/deliveries/${t.body.id}`), (x) => x.body.status === 'failed');
  assert.equal(d.body.attempts, 8, 'one attempt per step of the schedule');
  assert.match(d.body.lastError, /retries exhausted/);
  const failing = await h.call(apiKey, 'GET', `/v1/subscriptions/${sub.id}`);
  assert.equal(failing.body.status, 'active');
  assert.ok(failing.body.failingSince);
  // Failing since six days: the next failed attempt disables the endpoint.
  await h.engine.tenant(orgId, (tx) => tx.trx('webhook_subscriptions').where({ id: sub.id }).update({ failing_since: new Date(Date.now() - 6 * 86_400_000) }));
  await h.call(apiKey, 'POST', `/v1/subscriptions/${sub.id}/test`);
  const off = await until(() => h.call(apiKey, 'GET', `/v1/subscriptions/${sub.id}`), (x) => x.body.status === 'disabled');
  assert.match(off.body.disabledReason, /failed for 1\d\d h/);
  // Re-enabling starts a fresh failure clock.
  const on = await h.call(apiKey, 'PATCH', `/v1/subscriptions/${sub.id}`, { enabled: true });
  assert.equal(on.body.status, 'active');
  assert.equal(on.body.failingSince, null);
});

test("an echoing receiver's answer is sealed at rest: the API shows it, the attempt row holds no clear text", async () => {
  const { orgId, apiKey } = await h.newOrg();
  const r = await receiver((req) => ({ status: 200, body: req.body }));
  const sub = await subscribe(apiKey, { url: `${r.url}/echo`, eventTypes: ['message.created'] });
  await h.engine.tenant(orgId, (tx) => ingestInbound(tx, { channel: 'sms', from: { handle: { kind: 'phone', value: '+14155550177' } }, to: { address: '+14155550199' }, body: 'Gate code 4417 for unit 9' }));
  const [d] = await until(() => deliveries(apiKey, sub.id), (l) => l.some((x) => x.status === 'succeeded'));
  assert.match(d.attemptLog[0].responseBody, /Gate code 4417/, 'the owner still reads the answer through the API');
  const rows = await h.engine.tenant(orgId, (tx) => tx.trx('webhook_attempts').where({ delivery_id: d.id }));
  assert.equal(rows.length, 1);
  const stored = Object.values(rows[0]).map((v) => (Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : String(v))).join('|');
  assert.ok(!stored.includes('Gate code') && !stored.includes('4155550177'), `clear text in webhook_attempts: ${stored.slice(0, 200)}`);
});

test("an endpoint's own retry schedule: [1, 1] makes three attempts, not the default eight; bounds are checked; null restores the default", async () => {
  const { apiKey } = await h.newOrg();
  const r = await receiver(() => ({ status: 503 }));
  const sub = await subscribe(apiKey, { url: r.url, eventTypes: ['*'], retrySchedule: [1, 1] });
  assert.deepEqual((await h.call(apiKey, 'GET', `/v1/subscriptions/${sub.id}`)).body.retrySchedule, [1, 1]);
  const t = await h.call(apiKey, 'POST', `/v1/subscriptions/${sub.id}/test`);
  const d = await until(() => h.call(apiKey, 'GET', `/v1/subscriptions/${sub.id}/deliveries/${t.body.id}`), (x) => x.body.status === 'failed');
  assert.equal(d.body.attempts, 3, 'the first attempt and one per retry of its schedule');
  assert.deepEqual(d.body.attemptLog.map((a: any) => a.statusCode), [503, 503, 503]);
  assert.match(d.body.lastError, /retries exhausted/);

  for (const [bad, field] of [
    [[0], '/retrySchedule/0'],
    [[5, 86_401], '/retrySchedule/1'],
    [Array(11).fill(5), '/retrySchedule'],
    [[1.5], '/retrySchedule/0'],
  ] as const) {
    const res = await h.call(apiKey, 'PATCH', `/v1/subscriptions/${sub.id}`, { retrySchedule: bad });
    assert.equal(res.status, 400, JSON.stringify(bad));
    assert.ok(JSON.stringify(res.body.error).includes(field), `${JSON.stringify(bad)}: ${JSON.stringify(res.body.error)}`);
  }
  const back = await h.call(apiKey, 'PATCH', `/v1/subscriptions/${sub.id}`, { retrySchedule: null });
  assert.equal(back.status, 200);
  assert.equal(back.body.retrySchedule, null);
});
