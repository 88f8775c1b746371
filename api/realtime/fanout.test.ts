import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { WebSocket } from 'ws';
import { startHarness, type Harness } from '../../test/harness.ts';
import { sleep, waitFor } from '../../test/wait.ts';
import { appendEvents } from '../../core/events/events.ts';
import { startRelay, type Relay } from '../../core/events/relay.ts';
import { createRealtime } from '../../core/realtime/index.ts';
import type { EngineEvent } from '../../core/events/events.ts';
import { createRealtimeHub } from './hub.ts';
import { dispatchRoutes } from '../../app/dispatch-routes.ts';

// Fan-out to many sockets: the hub's index by conversation, frames built once per event and the
// writes batched per tick must still give every client each of its events once, in feed order,
// and nothing that is not its own.
let h: Harness;
let relay: Relay;
beforeAll(async () => {
  h = await startHarness();
  relay = await startRelay(h.engine, { routes: dispatchRoutes });
});
afterAll(async () => {
  await relay?.stop();
  await h?.close();
});

interface Client {
  ws: WebSocket;
  /** Event frames' events, in arrival order. */
  events: EngineEvent[];
  /** Every frame arrived as text (the protocol is JSON text frames). */
  binary: number;
}

async function connect(query: string, apiKey: string): Promise<Client> {
  const ws = new WebSocket(`${h.baseUrl.replace(/^http/, 'ws')}/v1/realtime${query}`, { headers: { authorization: `Bearer ${apiKey}` } });
  const c: Client = { ws, events: [], binary: 0 };
  let ready = false;
  ws.on('message', (data, isBinary) => {
    if (isBinary) c.binary++;
    const frame = JSON.parse(String(data));
    if (frame.type === 'ready') ready = true;
    if (frame.type === 'event') c.events.push(frame.event);
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  await waitFor('the ready frame', () => ready);
  return c;
}

async function conversation(orgId: string): Promise<string> {
  const id = crypto.randomUUID();
  await h.engine.tenant(orgId, (tx) => tx.trx('conversations').insert({ id, org_id: orgId, channel: 'chat' }));
  return id;
}

const ns = (events: EngineEvent[]) => events.map((e) => e.data.n as number);

test('a burst reaches each org-wide client whole and each conversation client only its own, once and in order', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const other = await h.newOrg();
  const convs = [await conversation(orgId), await conversation(orgId), await conversation(orgId)];
  const dashboards = await Promise.all([connect('', apiKey), connect('', apiKey)]);
  // Two sockets on the first conversation, one named in upper case, one on the second; none on the third.
  const scoped = await Promise.all([
    connect(`?conversationId=${convs[0]}`, apiKey),
    connect(`?conversationId=${convs[0]!.toUpperCase()}`, apiKey),
    connect(`?conversationId=${convs[1]}`, apiKey),
  ]);
  const stranger = await connect('', other.apiKey);

  // Several transactions, each with events of every conversation and some of none, written concurrently.
  const written: { n: number; conversationId: string | null }[] = [];
  await Promise.all(
    Array.from({ length: 6 }, (_, t) =>
      h.engine.tenant(orgId, (tx) => {
        const batch = Array.from({ length: 10 }, (_, i) => ({ n: t * 10 + i, conversationId: i % 4 === 3 ? null : convs[i % 3]! }));
        written.push(...batch);
        return appendEvents(tx, batch.map((b) => ({ type: 'test.fanout', conversationId: b.conversationId, data: { n: b.n } })));
      }),
    ),
  );
  await waitFor('every dashboard', () => dashboards.every((d) => d.events.length === written.length));
  const feed = ns(dashboards[0]!.events);
  assert.deepEqual([...feed].sort((a, b) => a - b), written.map((w) => w.n).sort((a, b) => a - b), 'each event once');
  assert.deepEqual(ns(dashboards[1]!.events), feed, 'both dashboards see the same feed order');
  const only = (conversationId: string) => feed.filter((n) => written.find((w) => w.n === n)!.conversationId === conversationId);
  await waitFor('the conversation clients', () => scoped[0]!.events.length === only(convs[0]!).length && scoped[2]!.events.length === only(convs[1]!).length);
  await sleep(100);
  assert.deepEqual(ns(scoped[0]!.events), only(convs[0]!));
  assert.deepEqual(ns(scoped[1]!.events), only(convs[0]!), 'the id in upper case streams the same conversation');
  assert.deepEqual(ns(scoped[2]!.events), only(convs[1]!));
  assert.equal(stranger.events.length, 0, 'another org sees nothing');
  for (const c of [...dashboards, ...scoped]) assert.equal(c.binary, 0, 'frames are text');

  // A client leaving does not disturb the others sharing its conversation and its org.
  scoped[0]!.ws.close();
  dashboards[0]!.ws.close();
  await waitFor('the closes', () => scoped[0]!.ws.readyState === WebSocket.CLOSED && dashboards[0]!.ws.readyState === WebSocket.CLOSED);
  await sleep(50);
  await h.engine.tenant(orgId, (tx) => appendEvents(tx, [{ type: 'test.fanout', conversationId: convs[0]!, data: { n: 100 } }]));
  await waitFor('the remaining ones', () => scoped[1]!.events.length === only(convs[0]!).length + 1 && dashboards[1]!.events.length === written.length + 1);
  assert.equal(scoped[0]!.events.length, only(convs[0]!).length, 'a closed socket gets nothing more');
  for (const c of [dashboards[1]!, ...scoped.slice(1), stranger]) c.ws.close();
});

test('the hub holds one adapter subscription per org while it has sockets, and routes by conversation', async () => {
  // The adapter of this mode (Redis pub/sub with REDIS_URL, else in-process), on its own prefix.
  const prefix = `sbt-hub-${crypto.randomBytes(4).toString('hex')}`;
  const publisher = await createRealtime(process.env.REDIS_URL, prefix);
  const subscriber = process.env.REDIS_URL ? await createRealtime(process.env.REDIS_URL, prefix) : publisher;
  try {
    const hub = createRealtimeHub(subscriber);
    const orgId = crypto.randomUUID();
    const a = crypto.randomUUID();
    const b = crypto.randomUUID();
    const got = { all: [] as number[], a: [] as number[], b: [] as number[] };
    const event = (n: number, conversationId: string | null): EngineEvent => ({ id: crypto.randomUUID(), type: 'test.hub', orgId, conversationId, subjectId: null, createdAt: new Date().toISOString(), cursor: `c${n}`, data: { n } });
    const offAll = hub.subscribe(orgId, undefined, (e) => got.all.push(e.data.n as number));
    const offA = hub.subscribe(orgId, a, (e) => got.a.push(e.data.n as number));
    const offB = hub.subscribe(orgId, b, (e) => got.b.push(e.data.n as number));
    await subscriber.ready(orgId);
    for (const [n, c] of [[1, a], [2, b], [3, null], [4, a]] as const) await publisher.publish(event(n, c));
    await waitFor('the org-wide listener', () => got.all.length === 4);
    await waitFor('the conversation listeners', () => got.a.length === 2 && got.b.length === 1);
    assert.deepEqual(got, { all: [1, 2, 3, 4], a: [1, 4], b: [2] });

    offA();
    offA(); // twice is harmless
    await publisher.publish(event(5, a));
    await waitFor('the org-wide listener', () => got.all.length === 5);
    assert.deepEqual(got.a, [1, 4], 'an unsubscribed listener gets nothing more');
    offAll();
    offB();
    // Every socket gone, then a new one: the org's subscription is taken again and works at once.
    const again: number[] = [];
    const off = hub.subscribe(orgId, b, (e) => again.push(e.data.n as number));
    await subscriber.ready(orgId);
    await publisher.publish(event(6, b));
    await waitFor('the new listener', () => again.length === 1);
    assert.deepEqual(got.b, [2]);
    off();
  } finally {
    await publisher.close();
    if (subscriber !== publisher) await subscriber.close();
  }
});
