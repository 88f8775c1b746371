import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';

/**
 * Embed tokens across origins: the UI kit on an app's own origin calls the API cross-origin.
 * The preflight is answered for the routes a token reaches; the request itself is admitted only
 * from an origin the token names, and refused (403, readable) from any other, with nothing done.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const PORTAL = 'https://portal.maple.example';
const SCOPES = ['conversations:read', 'messages:read', 'messages:send'];

test('CORS for embed tokens: preflight on reachable routes, requests admitted only from the token\'s origins', async () => {
  const { apiKey } = await h.newOrg();
  const inbound = await h.call(apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { handle: { kind: 'app_user', value: 'res-4b' } }, body: 'Leak in 4B', metadata: { unit: '4B' } });
  assert.equal(inbound.status, 201, JSON.stringify(inbound.body));
  const minted = await h.call(apiKey, 'POST', '/v1/embed-tokens', { scopes: SCOPES, metadata: { unit: '4B' }, origins: [PORTAL] });
  assert.equal(minted.status, 201, JSON.stringify(minted.body));
  assert.deepEqual(minted.body.origins, [PORTAL]);
  const token = minted.body.token as string;
  const bad = await h.call(apiKey, 'POST', '/v1/embed-tokens', { scopes: SCOPES, origins: ['https://portal.maple.example/path'] });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.details[0].field, '/origins/0');

  const pre = await fetch(`${h.baseUrl}/v1/conversations`, { method: 'OPTIONS', headers: { origin: PORTAL, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), PORTAL);
  assert.match(pre.headers.get('access-control-allow-headers')!, /authorization/);
  const closed = await fetch(`${h.baseUrl}/v1/api-keys`, { method: 'OPTIONS', headers: { origin: PORTAL, 'access-control-request-method': 'GET' } });
  assert.equal(closed.headers.get('access-control-allow-origin'), null, 'no preflight for routes a token cannot reach');

  const listed = await h.call(token, 'GET', '/v1/conversations', undefined, { origin: PORTAL });
  assert.equal(listed.status, 200, JSON.stringify(listed.body));
  assert.equal(listed.headers.get('access-control-allow-origin'), PORTAL);
  assert.equal(listed.body.data.length, 1);

  const evil = 'https://evil.example.org';
  const refused = await h.call(token, 'GET', '/v1/conversations', undefined, { origin: evil });
  assert.deepEqual([refused.status, refused.body.error.code], [403, 'forbidden']);
  assert.match(refused.body.error.message, /evil\.example\.org.*not allowed/);
  assert.equal(refused.headers.get('access-control-allow-origin'), evil, 'the refusal is readable');
  const write = await h.call(token, 'POST', '/v1/messages', { conversationId: inbound.body.conversationId, body: 'From elsewhere' }, { origin: evil });
  assert.equal(write.status, 403);
  const msgs = await h.call(apiKey, 'GET', `/v1/conversations/${inbound.body.conversationId}/messages`);
  assert.deepEqual(msgs.body.data.map((m: any) => m.body), ['Leak in 4B'], 'a refused origin wrote nothing');

  // A token minted without origins: same-origin pages and servers only.
  const plain = (await h.call(apiKey, 'POST', '/v1/embed-tokens', { scopes: SCOPES })).body.token as string;
  assert.equal((await h.call(plain, 'GET', '/v1/conversations', undefined, { origin: PORTAL })).status, 403);
  assert.equal((await h.call(plain, 'GET', '/v1/conversations', undefined, { origin: h.baseUrl })).status, 200, 'same origin');
  assert.equal((await h.call(plain, 'GET', '/v1/conversations')).status, 200, 'a server (no Origin)');
});
