import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { realServices, startHarness, type Harness } from '../../test/harness.ts';
import { sleep, waitFor } from '../../test/wait.ts';
import { createEngine, type Engine } from '../../core/engine.ts';
import { appendEvents, type EngineEvent, type NewEvent } from '../../core/events/events.ts';
import { encodeCursor, START } from '../../core/events/cursor.ts';
import { startRelay, type Relay } from '../../core/events/relay.ts';
import { attachRealtime } from './server.ts';
import { signRealtimeToken } from './tokens.ts';
import { dispatchRoutes } from '../../app/dispatch-routes.ts';

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
  frames: any[];
  events(): any[];
  ready(): Promise<string>;
  close(): void;
}

function connect(base: string, query: string, apiKey?: string, opts: { autoPong?: boolean } = {}): Promise<Client> {
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/v1/realtime${query}`, {
    headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
    ...opts,
  });
  const frames: any[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(String(d))));
  return new Promise((resolve, reject) => {
    ws.once('open', () =>
      resolve({
        ws,
        frames,
        events: () => frames.filter((f) => f.type === 'event').map((f) => f.event),
        ready: () => waitFor('the ready frame', () => frames.find((f) => f.type === 'ready')?.cursor as string),
        close: () => ws.close(),
      }),
    );
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`refused ${res.statusCode}`), { status: res.statusCode })));
    ws.once('error', reject);
  });
}

/** The HTTP status and JSON error of a refused upgrade. */
function refused(query: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const ws = new WebSocket(`${h.baseUrl.replace(/^http/, 'ws')}/v1/realtime${query}`, { headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => reject(new Error('the upgrade was accepted')));
    ws.once('error', () => {});
    ws.once('unexpected-response', (_req, res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
  });
}

async function conversation(engine: Engine, orgId: string): Promise<string> {
  const id = crypto.randomUUID();
  await engine.tenant(orgId, (tx) => tx.trx('conversations').insert({ id, org_id: orgId, channel: 'chat' }));
  return id;
}

async function emit(engine: Engine, orgId: string, events: Partial<NewEvent>[]): Promise<void> {
  await engine.tenant(orgId, (tx) => appendEvents(tx, events.map((e) => ({ type: 'test.event', data: {}, ...e }))));
}

const ns = (events: any[]) => events.map((e) => e.data.n);

test('live: a committed event arrives as a decoded frame, after the ready frame', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const c = await connect(h.baseUrl, '', apiKey);
  await c.ready();
  await emit(h.engine, orgId, [{ type: 'message.created', data: { message: { body: 'marker-live' } } }]);
  await waitFor('the live frame', () => c.events().length === 1);
  const [e] = c.events();
  assert.equal(e.orgId, orgId);
  assert.equal(e.type, 'message.created');
  assert.deepEqual(e.data, { message: { body: 'marker-live' } });
  assert.equal(c.frames[0].type, 'ready');
  c.ws.send(JSON.stringify({ type: 'ping' }));
  await waitFor('the pong', () => c.frames.some((f) => f.type === 'pong'));
  c.close();
});

test('resume: events after the cursor come first, then live ones, with no gap and no duplicate', async () => {
  const { orgId, apiKey } = await h.newOrg();
  await emit(h.engine, orgId, [{ data: { n: 0 } }, { data: { n: 1 } }]);
  const sync = await h.call(apiKey, 'GET', '/v1/sync?limit=1');
  assert.equal(sync.status, 200);
  const cursor = sync.body.nextCursor as string;
  await emit(h.engine, orgId, [{ data: { n: 2 } }, { data: { n: 3 } }]);
  await emit(h.engine, orgId, [{ data: { n: 4 } }]);
  await relay.drain();
  // Keep writing while the client resumes: these land in the replay, the live buffer, or both.
  const writing = (async () => {
    for (let n = 5; n < 25; n++) await emit(h.engine, orgId, [{ data: { n } }]);
  })();
  const c = await connect(h.baseUrl, `?cursor=${cursor}`, apiKey);
  await writing;
  await waitFor('every event', () => c.events().length >= 24, 10_000);
  await relay.drain();
  await sleep(200);
  assert.deepEqual(ns(c.events()), Array.from({ length: 24 }, (_, i) => i + 1));
  const readyAt = c.frames.findIndex((f) => f.type === 'ready');
  assert.ok(readyAt >= 4, 'the backlog before the cursor position came first');
  c.close();

  // Resuming from the ready cursor of a finished session replays nothing already seen.
  const last = c.events().at(-1).cursor as string;
  const again = await connect(h.baseUrl, `?cursor=${last}`, apiKey);
  assert.equal(await again.ready(), last);
  await emit(h.engine, orgId, [{ data: { n: 25 } }]);
  await waitFor('the next live event', () => again.events().length === 1);
  assert.deepEqual(ns(again.events()), [25]);
  again.close();
});

test('a live event published while a replay is under way is held and flushed after it, before ready', async () => {
  const { orgId, apiKey } = await h.newOrg();
  // One full replay page of 6 MB: more than the socket buffers take, so a client that stops
  // reading holds the server inside its replay (it waits for the socket to drain between pages).
  const pad = 'x'.repeat(12_000);
  await emit(h.engine, orgId, Array.from({ length: 500 }, (_, n) => ({ data: { n, pad } })));
  const c = await connect(h.baseUrl, `?cursor=${encodeCursor(START)}`, apiKey);
  // The first replayed frame proves the session subscribed to live events (it does so before
  // replaying); stop reading right there, which holds the server inside its replay.
  await new Promise<void>((resolve) => c.ws.once('message', () => (c.ws.pause(), resolve())));
  const live: EngineEvent = {
    id: crypto.randomUUID(), type: 'test.live', orgId, conversationId: null, subjectId: null,
    createdAt: new Date().toISOString(), cursor: encodeCursor({ tx: '999999999999', seq: '1' }), data: { n: 'live' },
  };
  await h.engine.realtime.publish(live);
  c.ws.resume();
  const readyCursor = await c.ready();
  assert.equal(readyCursor, live.cursor, 'the held event was flushed before the ready frame');
  const got = c.events();
  assert.deepEqual(ns(got), [...Array.from({ length: 500 }, (_, n) => n), 'live']);
  c.close();
});

test('conversationId filters the stream, live and replayed', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const one = await conversation(h.engine, orgId);
  const two = await conversation(h.engine, orgId);
  await emit(h.engine, orgId, [
    { conversationId: one, data: { n: 1 } },
    { conversationId: two, data: { n: 2 } },
  ]);
  const c = await connect(h.baseUrl, `?conversationId=${one}`, apiKey);
  const start = await connect(h.baseUrl, `?conversationId=${one}&cursor=${Buffer.from('0.0').toString('base64url')}`, apiKey);
  await c.ready();
  await start.ready();
  await emit(h.engine, orgId, [
    { conversationId: two, data: { n: 3 } },
    { conversationId: one, data: { n: 4 } },
    { data: { n: 5 } },
  ]);
  await waitFor('the filtered live event', () => c.events().length === 1 && start.events().length === 2);
  await relay.drain();
  await sleep(150);
  assert.deepEqual(ns(c.events()), [4]);
  assert.deepEqual(ns(start.events()), [1, 4]);
  c.close();
  start.close();
});

test('tokens: scoped, short-lived, bound to a conversation that cannot be widened', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const conv = await conversation(h.engine, orgId);
  const other = await conversation(h.engine, orgId);
  const minted = await h.call(apiKey, 'POST', '/v1/realtime/tokens', { conversationId: conv, ttlSeconds: 60 });
  assert.equal(minted.status, 201);
  assert.match(minted.body.token, /^sbrt_/);
  const ttl = Date.parse(minted.body.expiresAt) - Date.now();
  assert.ok(ttl > 55_000 && ttl <= 60_000, `expires in ${ttl} ms`);

  const c = await connect(h.baseUrl, `?token=${minted.body.token}`);
  await c.ready();
  await emit(h.engine, orgId, [{ conversationId: other, data: { n: 1 } }, { conversationId: conv, data: { n: 2 } }]);
  await waitFor('the bound conversation event', () => c.events().length === 1);
  await relay.drain();
  await sleep(100);
  assert.deepEqual(ns(c.events()), [2]);
  c.close();

  const widen = await refused(`?token=${minted.body.token}&conversationId=${other}`);
  assert.equal(widen.status, 403);

  assert.equal((await h.call(apiKey, 'POST', '/v1/realtime/tokens', { ttlSeconds: 3601 })).status, 400);
  assert.equal((await h.call(apiKey, 'POST', '/v1/realtime/tokens', { extra: 1 })).status, 400);
  assert.equal((await h.call(apiKey, 'POST', '/v1/realtime/tokens', { conversationId: crypto.randomUUID() })).status, 404);
  assert.equal((await h.call(null, 'POST', '/v1/realtime/tokens', {})).status, 401);
  const orgWide = await h.call(apiKey, 'POST', '/v1/realtime/tokens', {});
  assert.equal(orgWide.status, 201);
  const expiresIn = Date.parse(orgWide.body.expiresAt) - Date.now();
  assert.ok(expiresIn > 590_000 && expiresIn <= 600_000, 'the default lifetime is 10 minutes');
});

test('bad credentials are refused with an HTTP status before any upgrade', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const minted = (await h.call(apiKey, 'POST', '/v1/realtime/tokens', {})).body.token as string;
  const [payload, sig] = minted.slice('sbrt_'.length).split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  const forgedPayload = Buffer.from(JSON.stringify({ ...claims, e: claims.e + 86_400 })).toString('base64url');
  const keyId = claims.k as string;
  assert.equal(claims.o, orgId);

  const cases: [string, Record<string, string>, number][] = [
    ['', {}, 401],
    ['', { authorization: 'Bearer sb_live_nope' }, 401],
    ['?token=sbrt_garbage.sig', {}, 401],
    [`?token=sbrt_${forgedPayload}.${sig}`, {}, 401],
    [`?token=${signRealtimeToken(h.engine, { orgId, keyId, exp: Math.floor(Date.now() / 1000) - 1 })}`, {}, 401],
    ['?cursor=not-a-cursor', { authorization: `Bearer ${apiKey}` }, 400],
    ['?conversationId=nope', { authorization: `Bearer ${apiKey}` }, 400],
    [`?conversationId=${crypto.randomUUID()}`, { authorization: `Bearer ${apiKey}` }, 404],
    ['?since=1', { authorization: `Bearer ${apiKey}` }, 400],
  ];
  for (const [query, headers, status] of cases) {
    const r = await refused(query, headers);
    assert.equal(r.status, status, `${query} ${JSON.stringify(headers)}`);
    assert.ok(r.body.error.code, 'the body is an API error');
  }

  // A key without events:read cannot connect; revoking the issuing key kills its tokens.
  const contactsOnly = await h.call(apiKey, 'POST', '/v1/api-keys', { name: 'contacts only', scopes: ['contacts:read'] });
  assert.equal(contactsOnly.status, 201);
  assert.equal((await refused('', { authorization: `Bearer ${contactsOnly.body.secret}` })).status, 403);
  assert.equal((await h.call(contactsOnly.body.secret, 'POST', '/v1/realtime/tokens', {})).status, 403);
  const reader = await h.call(apiKey, 'POST', '/v1/api-keys', { name: 'events', scopes: ['events:read'] });
  const readerToken = (await h.call(reader.body.secret, 'POST', '/v1/realtime/tokens', {})).body.token as string;
  (await connect(h.baseUrl, `?token=${readerToken}`)).close();
  assert.equal((await h.call(apiKey, 'DELETE', `/v1/api-keys/${reader.body.id}`)).status, 200);
  assert.equal((await refused(`?token=${readerToken}`)).status, 401);
});

test('org isolation: a token or key of org A never sees org B, even by naming its conversation', async () => {
  const a = await h.newOrg('A');
  const b = await h.newOrg('B');
  const bConv = await conversation(h.engine, b.orgId);
  const token = (await h.call(a.apiKey, 'POST', '/v1/realtime/tokens', {})).body.token as string;
  const ca = await connect(h.baseUrl, `?token=${token}&cursor=${Buffer.from('0.0').toString('base64url')}`);
  await ca.ready();
  assert.equal((await refused(`?conversationId=${bConv}`, { authorization: `Bearer ${a.apiKey}` })).status, 404);
  assert.equal((await h.call(a.apiKey, 'POST', '/v1/realtime/tokens', { conversationId: bConv })).status, 404);
  await emit(h.engine, b.orgId, [{ conversationId: bConv, data: { n: 1 } }]);
  await emit(h.engine, a.orgId, [{ data: { n: 2 } }]);
  await waitFor('org A event', () => ca.events().length === 1);
  await relay.drain();
  await sleep(100);
  assert.deepEqual(ns(ca.events()), [2]);
  assert.ok(ca.events().every((e) => e.orgId === a.orgId));
  ca.close();
});

test('fan-out: every API process delivers to its own clients (Redis across processes, in-process otherwise)', async () => {
  const { orgId, apiKey } = await h.newOrg();
  // With Redis, a second engine on the same database and Redis prefix stands for another API
  // replica: the relay runs in the first process only. Embedded mode has one process: two clients.
  const second = realServices() ? await createEngine(h.config, { pgliteDir: null }) : h.engine;
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const detach = attachRealtime(server, second);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const near = await connect(h.baseUrl, '', apiKey);
    const far = await connect(base, '', apiKey);
    await Promise.all([near.ready(), far.ready()]);
    await emit(h.engine, orgId, [{ data: { n: 1 } }, { data: { n: 2 } }]);
    await waitFor('both clients', () => near.events().length === 2 && far.events().length === 2);
    assert.deepEqual(ns(far.events()), [1, 2]);
    assert.deepEqual(far.events(), near.events());
    near.close();
    far.close();
  } finally {
    await detach();
    await new Promise((r) => server.close(r));
    if (second !== h.engine) await second.close();
  }
});

test('the server pings and drops a client that stops answering', async () => {
  const { apiKey } = await h.newOrg();
  const server = http.createServer();
  const detach = attachRealtime(server, h.engine, { pingMs: 50 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const c = await connect(base, '', apiKey);
    let pings = 0;
    c.ws.on('ping', () => pings++);
    await waitFor('pings', () => pings >= 2);
    assert.equal(c.ws.readyState, WebSocket.OPEN, 'a client that answers stays connected');
    const mute = await connect(base, '', apiKey, { autoPong: false });
    const code = await new Promise<number>((r) => mute.ws.once('close', (code) => r(code)));
    assert.equal(code, 1006, 'a client that never answers is cut off');
    c.close();
  } finally {
    await detach();
    await new Promise((r) => server.close(r));
  }
});

test('a dashboard session mints realtime tokens that stream until the session ends', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const email = `viewer.${Date.now()}@acme.test`;
  const password = 'correct horse battery staple';
  assert.equal((await h.call(apiKey, 'POST', '/v1/users', { email, role: 'viewer', password })).status, 201);
  const session = (await h.call(null, 'POST', '/v1/sessions', { email, password })).body.token as string;
  const minted = await h.call(session, 'POST', '/v1/realtime/tokens', { ttlSeconds: 600 });
  assert.equal(minted.status, 201, JSON.stringify(minted.body));
  const c = await connect(h.baseUrl, `?token=${minted.body.token}`);
  await c.ready();
  await emit(h.engine, orgId, [{ data: { n: 1 } }]);
  await waitFor('the event over the session token', () => c.events().length === 1);
  c.close();
  // Signing out ends the token with the session, long before its expiry.
  assert.equal((await h.call(session, 'DELETE', '/v1/sessions/current')).status, 204);
  assert.equal((await refused(`?token=${minted.body.token}`)).status, 401);
});
