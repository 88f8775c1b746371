import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { WebSocket } from 'ws';
import { startHarness, type Harness } from '../../test/harness.ts';
import { sleep, waitFor } from '../../test/wait.ts';
import { startRelay, type Relay } from '../../core/events/relay.ts';
import { startSendWorker, type SendWorker } from '../../core/send/worker.ts';
import { createPlatform } from '../../core/platforms/platforms.ts';
import { upgradeAnswer } from '../../test/upgrade.ts';
import { dispatchRoutes } from '../../app/dispatch-routes.ts';

/**
 * The chat widget through real HTTP: publishable keys, Origin checks, identity verification,
 * visitor ↔ agent messages, the visitor's realtime stream, and isolation between visitors and orgs.
 */
let h: Harness;
let relay: Relay;
let worker: SendWorker;
beforeAll(async () => {
  h = await startHarness();
  relay = await startRelay(h.engine, { routes: dispatchRoutes });
  worker = startSendWorker(h.engine);
});
afterAll(async () => {
  await relay?.stop();
  await worker?.stop();
  await h?.close();
});

const ORIGIN = 'https://app.example.com';
const SECRET = 'idsec_1f2e3d4c5b6a79881726354453627180';
const hash = (userId: string, secret = SECRET) => createHmac('sha256', secret).update(userId).digest('hex');

interface Chat {
  orgId: string;
  apiKey: string;
  connectionId: string;
  pk: string;
}

async function chat(opts: { requireUserHash?: boolean } = {}): Promise<Chat> {
  const { orgId, apiKey } = await h.newOrg();
  const conn = await h.call(apiKey, 'POST', '/v1/connections', {
    connector: 'webchat',
    name: 'Website chat',
    config: { allowedOrigins: [ORIGIN, 'http://localhost:3000'], requireUserHash: opts.requireUserHash ?? false },
    secrets: { identitySecret: SECRET },
  });
  assert.equal(conn.status, 201, JSON.stringify(conn.body));
  const key = await h.call(apiKey, 'POST', `/v1/connections/${conn.body.id}/publishable-keys`, {});
  assert.equal(key.status, 201, JSON.stringify(key.body));
  assert.match(key.body.key, /^pk_live_[A-Za-z0-9_-]{32}$/);
  return { orgId, apiKey, connectionId: conn.body.id, pk: key.body.key };
}

/** A widget call from the page at `origin`. */
function widget(method: string, path: string, body?: unknown, session?: string, origin: string | null = ORIGIN) {
  return h.call(null, method, path, body, { ...(origin ? { origin } : {}), ...(session ? { 'x-widget-session': session } : {}) });
}

async function session(c: Chat, body: Record<string, unknown> = {}): Promise<{ token: string; visitorId?: string; conversationId: string | null }> {
  const res = await widget('POST', '/v1/widget/sessions', { publishableKey: c.pk, ...body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
  return res.body;
}

test('CORS preflight for the widget paths only', async () => {
  const pre = await fetch(`${h.baseUrl}/v1/widget/sessions`, {
    method: 'OPTIONS',
    headers: { origin: ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-widget-session' },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), ORIGIN);
  assert.match(pre.headers.get('access-control-allow-headers')!, /x-widget-session/);
  const other = await fetch(`${h.baseUrl}/v1/contacts`, { method: 'OPTIONS', headers: { origin: ORIGIN } });
  assert.notEqual(other.status, 204);
  assert.equal(other.headers.get('access-control-allow-origin'), null);
});

test('publishable keys: good key opens a session; unknown, revoked, or a disabled connection → 401; wrong origin → 403', async () => {
  const c = await chat();
  const anon = await session(c);
  assert.match(anon.token, /^sbrt_/);
  assert.match(anon.visitorId!, /^v_[A-Za-z0-9_-]{22}$/);
  assert.equal(anon.conversationId, null);

  assert.equal((await widget('POST', '/v1/widget/sessions', { publishableKey: 'pk_live_' + 'x'.repeat(32) })).status, 401);
  assert.equal((await widget('POST', '/v1/widget/sessions', { publishableKey: c.apiKey })).status, 401, 'an API key is not a publishable key');

  const evil = await widget('POST', '/v1/widget/sessions', { publishableKey: c.pk }, undefined, 'https://evil.example.org');
  assert.equal(evil.status, 403);
  assert.equal(evil.headers.get('access-control-allow-origin'), 'https://evil.example.org', 'a refused page can read its refusal (and only that), to show it');
  assert.match(evil.body.error.message, /not allowed/);
  assert.equal((await widget('POST', '/v1/widget/sessions', { publishableKey: c.pk }, undefined, null)).status, 403, 'no Origin at all');
  assert.equal((await widget('POST', '/v1/widget/sessions', { publishableKey: c.pk }, undefined, 'http://localhost:3000')).status, 201);

  const listed = await h.call(c.apiKey, 'GET', `/v1/connections/${c.connectionId}/publishable-keys`);
  assert.equal(listed.status, 200);
  assert.equal(listed.body.data.length, 1);
  // Public by design (it is in the page): listed whole, so the dashboard shows any key's snippet.
  assert.equal(listed.body.data[0].key, c.pk, 'the key is listed whole');
  const keyId = listed.body.data[0].id;
  const revoked = await h.call(c.apiKey, 'DELETE', `/v1/connections/${c.connectionId}/publishable-keys/${keyId}`);
  assert.equal(revoked.status, 200);
  assert.ok(revoked.body.revokedAt);
  assert.equal((await widget('POST', '/v1/widget/sessions', { publishableKey: c.pk })).status, 401, 'revoked key');
  assert.equal((await widget('GET', '/v1/widget/messages', undefined, anon.token)).status, 401, 'sessions of a revoked key end at once');

  const d = await chat();
  const open = await session(d);
  assert.equal((await h.call(d.apiKey, 'DELETE', `/v1/connections/${d.connectionId}`)).status, 200);
  assert.equal((await widget('POST', '/v1/widget/sessions', { publishableKey: d.pk })).status, 401, 'disabled connection');
  assert.equal((await widget('GET', '/v1/widget/messages', undefined, open.token)).status, 401);
});

test('publishable keys exist only for web chat connections of the caller\'s org', async () => {
  const c = await chat();
  const { apiKey } = await h.newOrg();
  assert.equal((await h.call(apiKey, 'POST', `/v1/connections/${c.connectionId}/publishable-keys`, {})).status, 404, 'another org\'s connection');
  const twilio = await h.call(c.apiKey, 'POST', '/v1/connections', {
    connector: 'twilio', name: 'SMS', config: { accountSid: 'AC3f5e0c7a9b2d4e6f8a1b3c5d7e9f1a2b' }, secrets: { authToken: 'x'.repeat(32) }, wire: false,
  });
  assert.equal(twilio.status, 201);
  const refused = await h.call(c.apiKey, 'POST', `/v1/connections/${twilio.body.id}/publishable-keys`, {});
  assert.equal(refused.status, 422);
});

test('identity verification: required → userHash must be the HMAC of userId; a wrong hash is refused even when optional', async () => {
  const strict = await chat({ requireUserHash: true });
  const open = (body: Record<string, unknown>) => widget('POST', '/v1/widget/sessions', { publishableKey: strict.pk, ...body });
  assert.equal((await open({ userId: 'user_42' })).status, 401, 'missing hash');
  assert.equal((await open({ userId: 'user_42', userHash: hash('user_43') })).status, 401, 'hash of another user');
  assert.equal((await open({ userId: 'user_42', userHash: hash('user_42', 'another-secret-of-32-characters!!') })).status, 401, 'another secret');
  const ok = await open({ userId: 'user_42', userHash: hash('user_42'), name: 'Dana Renter', email: 'Dana@Example.com' });
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  assert.equal(ok.body.visitorId, undefined);
  assert.equal((await open({ visitorId: 'v_not-one-we-issued' })).status, 400);
  assert.equal((await open({ userId: 'visitor:v_AAAAAAAAAAAAAAAAAAAAAA' })).status, 400, 'the visitor namespace is reserved');

  // The verified user got a contact with the name and the email address.
  const contacts = await h.call(strict.apiKey, 'GET', '/v1/contacts');
  assert.equal(contacts.body.data.length, 1);
  const contact = contacts.body.data[0];
  assert.equal(contact.name, 'Dana Renter');
  assert.deepEqual(contact.handles.map((x: { kind: string; value: string }) => `${x.kind}:${x.value}`).sort(), ['app_user:user_42', 'email:dana@example.com']);

  const lax = await chat();
  assert.equal((await widget('POST', '/v1/widget/sessions', { publishableKey: lax.pk, userId: 'user_42', userHash: hash('nope') })).status, 401);
  const unverified = await widget('POST', '/v1/widget/sessions', { publishableKey: lax.pk, userId: 'user_42', email: 'dana@example.com' });
  assert.equal(unverified.status, 201);
  const laxContacts = await h.call(lax.apiKey, 'GET', '/v1/contacts');
  assert.deepEqual(laxContacts.body.data[0].handles.map((x: { kind: string }) => x.kind), ['app_user'], 'an unverified email is not kept');
});

test('a visitor message lands as an inbound chat message; the agent reply is visible to the visitor', async () => {
  const c = await chat();
  const s = await session(c);
  assert.equal((await h.call(c.apiKey, 'GET', '/v1/contacts')).body.data.length, 0, 'an anonymous page view creates no contact');

  const sent = await widget('POST', '/v1/widget/messages', { body: 'Is unit 4B still available?', clientMessageId: 'cm_0001abcd' }, s.token);
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
  assert.equal(sent.headers.get('access-control-allow-origin'), ORIGIN);
  assert.deepEqual(Object.keys(sent.body).sort(), ['author', 'authorName', 'body', 'conversationId', 'createdAt', 'id', 'media', 'object']);
  assert.equal(sent.body.author, 'visitor');
  const conversationId = sent.body.conversationId;

  const retry = await widget('POST', '/v1/widget/messages', { body: 'Is unit 4B still available?', clientMessageId: 'cm_0001abcd' }, s.token);
  assert.equal(retry.body.id, sent.body.id, 'a retried clientMessageId is the same message');

  // The org sees an inbound chat message on the connection, from the visitor's app_user contact.
  const stored = await h.call(c.apiKey, 'GET', `/v1/messages/${sent.body.id}`);
  assert.equal(stored.status, 200);
  assert.deepEqual([stored.body.direction, stored.body.channel, stored.body.connectionId, stored.body.status, stored.body.body], [
    'inbound', 'chat', c.connectionId, 'received', 'Is unit 4B still available?',
  ]);
  const contact = await h.call(c.apiKey, 'GET', `/v1/contacts/${stored.body.contactId}`);
  assert.equal(contact.body.handles[0].kind, 'app_user');
  assert.equal(contact.body.handles[0].value, `visitor:${s.visitorId}`);
  const sync = await h.call(c.apiKey, 'GET', '/v1/sync');
  assert.equal(sync.body.events.filter((e: { type: string; data: any }) => e.type === 'message.created' && e.data.message.id === sent.body.id).length, 1);

  const reply = await h.call(c.apiKey, 'POST', '/v1/messages', { conversationId, body: 'Yes! Want to book a visit?' });
  assert.equal(reply.status, 201, JSON.stringify(reply.body));
  assert.equal(reply.body.channel, 'chat');

  const seen = await widget('GET', '/v1/widget/messages', undefined, s.token);
  assert.equal(seen.status, 200);
  assert.equal(seen.body.conversationId, conversationId);
  assert.deepEqual(seen.body.data.map((m: { author: string; body: string }) => [m.author, m.body]), [
    ['agent', 'Yes! Want to book a visit?'],
    ['visitor', 'Is unit 4B still available?'],
  ]);
  assert.ok(!JSON.stringify(seen.body).includes(stored.body.contactId), 'no internal ids or metadata in the visitor view');

  // The same anonymous visitor, back later with their visitorId, finds the conversation again.
  const back = await session(c, { visitorId: s.visitorId });
  assert.equal(back.conversationId, conversationId);
  assert.equal((await widget('GET', '/v1/widget/messages', undefined, back.token)).body.data.length, 2);
});

test('one visitor cannot read or write into another visitor\'s conversation; sessions cannot be forged', async () => {
  const c = await chat();
  const alice = await session(c, { userId: 'alice' });
  const bob = await session(c, { userId: 'bob' });
  await widget('POST', '/v1/widget/messages', { body: 'alice secret' }, alice.token);
  await widget('POST', '/v1/widget/messages', { body: 'bob here' }, bob.token);
  const bobSees = await widget('GET', '/v1/widget/messages', undefined, bob.token);
  assert.deepEqual(bobSees.body.data.map((m: { body: string }) => m.body), ['bob here']);
  const aliceSees = await widget('GET', '/v1/widget/messages', undefined, alice.token);
  assert.deepEqual(aliceSees.body.data.map((m: { body: string }) => m.body), ['alice secret']);
  assert.notEqual(bobSees.body.conversationId, aliceSees.body.conversationId);

  // A token edited to name alice fails its signature; a token from POST /v1/realtime/tokens is not a session.
  const [head, mac] = bob.token.split('.');
  const claims = JSON.parse(Buffer.from(head!.slice(5), 'base64url').toString());
  const forged = `sbrt_${Buffer.from(JSON.stringify({ ...claims, v: 'alice' })).toString('base64url')}.${mac}`;
  assert.equal((await widget('GET', '/v1/widget/messages', undefined, forged)).status, 401);
  const apiToken = await h.call(c.apiKey, 'POST', '/v1/realtime/tokens', {});
  assert.equal((await widget('GET', '/v1/widget/messages', undefined, apiToken.body.token)).status, 401);
  assert.equal((await widget('GET', '/v1/widget/messages')).status, 401, 'no session');
  // A session is used from its own site only.
  assert.equal((await widget('GET', '/v1/widget/messages', undefined, bob.token, 'https://evil.example.org')).status, 403);
  // The body field names nothing but words: no conversationId to aim at.
  assert.equal((await widget('POST', '/v1/widget/messages', { body: 'x', conversationId: aliceSees.body.conversationId }, bob.token)).status, 400);
});

test('cross-org: the same user id in two orgs is two people; one org\'s session reaches nothing of the other', async () => {
  const one = await chat();
  const two = await chat();
  const a1 = await session(one, { userId: 'shared-user' });
  const a2 = await session(two, { userId: 'shared-user' });
  await widget('POST', '/v1/widget/messages', { body: 'org one only' }, a1.token);
  const seen2 = await widget('GET', '/v1/widget/messages', undefined, a2.token);
  assert.deepEqual(seen2.body, { conversationId: null, data: [], nextCursor: null, hasMore: false });
  assert.equal((await h.call(two.apiKey, 'GET', '/v1/contacts')).body.data.length, 1);
  assert.equal((await h.call(two.apiKey, 'GET', '/v1/conversations')).body.data.length, 0);
  const oneConversations = await h.call(one.apiKey, 'GET', '/v1/conversations');
  assert.equal(oneConversations.body.data.length, 1);
  assert.equal((await h.call(two.apiKey, 'GET', `/v1/conversations/${oneConversations.body.data[0].id}`)).status, 404);
  assert.equal((await h.call(two.apiKey, 'GET', `/v1/connections/${one.connectionId}/publishable-keys`)).status, 404);
});

test('realtime: the visitor streams their conversation only, new messages only, in the visitor view', async () => {
  const c = await chat();
  const s = await session(c, { userId: 'streamer' });
  assert.equal((await widget('POST', '/v1/widget/realtime-tokens', {}, s.token)).status, 404, 'no conversation yet');
  const first = await widget('POST', '/v1/widget/messages', { body: 'hello' }, s.token);
  const rt = await widget('POST', '/v1/widget/realtime-tokens', {}, s.token);
  assert.equal(rt.status, 201, JSON.stringify(rt.body));
  assert.equal(rt.body.conversationId, first.body.conversationId);

  const wsUrl = `${h.baseUrl.replace(/^http/, 'ws')}/v1/realtime`;
  const refused = (query: string) =>
    new Promise<number>((resolve, reject) => {
      const ws = new WebSocket(`${wsUrl}${query}`);
      ws.once('open', () => reject(new Error('the upgrade was accepted')));
      ws.once('error', () => {});
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode!));
    });
  assert.equal(await refused(`?token=${s.token}`), 403, 'a session token is not a stream of the whole org');

  const other = await session(c, { userId: 'someone-else' });
  await widget('POST', '/v1/widget/messages', { body: 'not yours' }, other.token);

  const ws = new WebSocket(`${wsUrl}?token=${rt.body.token}`);
  const frames: any[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(String(d))));
  await new Promise((resolve, reject) => (ws.once('open', resolve), ws.once('error', reject)));
  await waitFor('the ready frame', () => frames.some((f) => f.type === 'ready'));
  const reply = await h.call(c.apiKey, 'POST', '/v1/messages', { conversationId: first.body.conversationId, body: 'Hi streamer', metadata: { internalNote: 'vip' } });
  assert.equal(reply.status, 201);
  await widget('POST', '/v1/widget/messages', { body: 'not yours either' }, other.token);
  await waitFor('the reply frame', () => frames.some((f) => f.type === 'event'));
  await relay.drain();
  await sleep(150);
  const events = frames.filter((f) => f.type === 'event').map((f) => f.event);
  assert.deepEqual(events.map((e) => [e.type, e.data.message.author, e.data.message.body]), [['message.created', 'agent', 'Hi streamer']]);
  assert.ok(!JSON.stringify(events).includes('vip'), 'metadata stays private');
  assert.ok(!JSON.stringify(events).includes(c.connectionId), 'no connection id');
  ws.close();
});

test('realtime from a page: the Origin must be in the connection\'s allowedOrigins, checked before the upgrade (403 forbidden)', async () => {
  const c = await chat();
  const s = await session(c, { userId: 'origin-checked' });
  assert.equal((await widget('POST', '/v1/widget/messages', { body: 'hello' }, s.token)).status, 201);
  const rt = await widget('POST', '/v1/widget/realtime-tokens', {}, s.token);
  assert.equal(rt.status, 201, JSON.stringify(rt.body));
  const url = `${h.baseUrl.replace(/^http/, 'ws')}/v1/realtime?token=${rt.body.token}`;
  assert.equal((await upgradeAnswer(url, { origin: ORIGIN })).status, 101, 'the allowed page');
  assert.equal((await upgradeAnswer(url, { origin: 'http://localhost:3000' })).status, 101, 'another allowed page');
  for (const origin of ['https://evil.example.org', 'https://app.example.com.evil.org', 'null']) {
    const r = await upgradeAnswer(url, { origin });
    assert.deepEqual([r.status, r.body?.error?.code], [403, 'forbidden'], origin);
    assert.match(r.body.error.message, /not allowed to use this chat/);
  }
  // The allowlist is read at each upgrade: removing an origin closes it to tokens already handed out.
  const patched = await h.call(c.apiKey, 'PATCH', `/v1/connections/${c.connectionId}`, { config: { allowedOrigins: ['http://localhost:3000'] } });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  assert.equal((await upgradeAnswer(url, { origin: ORIGIN })).status, 403, 'an origin no longer allowed');
});

test('the agent\'s reply goes out on the web chat connection: delivered, with no provider to call', async () => {
  const c = await chat();
  const s = await session(c, { userId: 'delivery' });
  const first = await widget('POST', '/v1/widget/messages', { body: 'anyone there?' }, s.token);
  const reply = await h.call(c.apiKey, 'POST', '/v1/messages', { conversationId: first.body.conversationId, body: 'Right here' });
  assert.equal(reply.status, 201);
  const delivered = await waitFor('the reply to be delivered', async () => {
    const m = (await h.call(c.apiKey, 'GET', `/v1/messages/${reply.body.id}`)).body;
    return m.status === 'delivered' ? m : null;
  }, 8_000, 50);
  assert.deepEqual([delivered.connectionId, delivered.providerMessageId], [c.connectionId, `webchat:${reply.body.id}`]);
});

test('rate limit per session', async () => {
  const c = await chat();
  // The limiter counts in fixed one-minute windows; a burst that straddles a window's end starts
  // counting again, so such a burst proves nothing and is tried once more with a fresh session.
  const windowOf = () => Math.floor(Date.now() / 60_000);
  let limited: Awaited<ReturnType<typeof widget>> | undefined;
  for (let attempt = 0; attempt < 3 && !limited; attempt++) {
    const s = await session(c, { userId: `chatty-${attempt}` });
    const first = windowOf();
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await widget('POST', '/v1/widget/messages', { body: `m${i}` }, s.token)).status);
    assert.deepEqual(statuses, Array(30).fill(201));
    const extra = await widget('POST', '/v1/widget/messages', { body: 'one too many' }, s.token);
    if (windowOf() === first) limited = extra;
  }
  assert.ok(limited, 'every burst straddled a minute boundary');
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
  // Another visitor of the same site is not held back by this one.
  const calm = await session(c, { userId: 'calm' });
  assert.equal((await widget('POST', '/v1/widget/messages', { body: 'hi' }, calm.token)).status, 201);
});

test('a suspended org: its publishable key, open widget sessions, realtime tokens and embed tokens are refused (401 org_suspended) until it is resumed', async () => {
  const { apiKey: platformKey } = await createPlatform(h.engine.db, { name: 'Suspending SaaS' });
  const created = await h.call(platformKey, 'POST', '/v1/platform/orgs', { name: 'Sunset Apartments' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const orgId = created.body.org.id as string;
  const apiKey = created.body.apiKey as string;
  const conn = await h.call(apiKey, 'POST', '/v1/connections', { connector: 'webchat', name: 'Chat', config: { allowedOrigins: [ORIGIN] }, secrets: { identitySecret: SECRET } });
  assert.equal(conn.status, 201, JSON.stringify(conn.body));
  const key = await h.call(apiKey, 'POST', `/v1/connections/${conn.body.id}/publishable-keys`, {});
  const c: Chat = { orgId, apiKey, connectionId: conn.body.id, pk: key.body.key };
  const s = await session(c);
  assert.equal((await widget('POST', '/v1/widget/messages', { body: 'Hello before the suspension' }, s.token)).status, 201);
  const rt = await widget('POST', '/v1/widget/realtime-tokens', {}, s.token);
  assert.equal(rt.status, 201, JSON.stringify(rt.body));
  const embed = await h.call(apiKey, 'POST', '/v1/embed-tokens', { scopes: ['conversations:read'] });
  assert.equal(embed.status, 201, JSON.stringify(embed.body));

  assert.equal((await h.call(platformKey, 'POST', `/v1/platform/orgs/${orgId}/suspend`, {})).status, 200);
  const refused = (r: { status: number; body: any }, what: string) => assert.deepEqual([r.status, r.body?.error?.code], [401, 'org_suspended'], what);
  refused(await widget('POST', '/v1/widget/sessions', { publishableKey: c.pk }), 'a new session');
  refused(await widget('POST', '/v1/widget/messages', { body: 'Hello?' }, s.token), 'a write on a session opened before');
  refused(await widget('GET', '/v1/widget/messages', undefined, s.token), 'a read on a session opened before');
  refused(await h.call(embed.body.token, 'GET', '/v1/conversations'), 'an embed token minted before');
  refused(await upgradeAnswer(`${h.baseUrl.replace('http', 'ws')}/v1/realtime?token=${rt.body.token}`, { origin: ORIGIN }), 'a realtime token minted before');

  assert.equal((await h.call(platformKey, 'POST', `/v1/platform/orgs/${orgId}/resume`, {})).status, 200);
  assert.equal((await widget('GET', '/v1/widget/messages', undefined, s.token)).status, 200, 'resumed');
  assert.equal((await h.call(embed.body.token, 'GET', '/v1/conversations')).status, 200);
});
