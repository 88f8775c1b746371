import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';
import { upgradeAnswer } from '../../test/upgrade.ts';
import { createPlatform } from '../../core/platforms/platforms.ts';

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

test('the realtime stream an embed token leads to admits a browser only from the token\'s origins or the API\'s own (403 forbidden before the upgrade)', async () => {
  const { apiKey } = await h.newOrg();
  const inbound = await h.call(apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { handle: { kind: 'app_user', value: 'res-4b-rt' } }, body: 'Heat is out', metadata: { unit: '4B' } });
  assert.equal(inbound.status, 201, JSON.stringify(inbound.body));
  const conversationId = inbound.body.conversationId as string;
  const mint = async (origins?: string[]) => {
    const embed = await h.call(apiKey, 'POST', '/v1/embed-tokens', { scopes: ['conversations:read', 'events:read'], metadata: { unit: '4B' }, ...(origins ? { origins } : {}) });
    assert.equal(embed.status, 201, JSON.stringify(embed.body));
    const rt = await h.call(embed.body.token, 'POST', '/v1/realtime/tokens', { conversationId }, origins ? { origin: origins[0]! } : {});
    assert.equal(rt.status, 201, JSON.stringify(rt.body));
    return `${h.baseUrl.replace(/^http/, 'ws')}/v1/realtime?token=${rt.body.token}`;
  };
  const forbidden = (r: { status: number; body: any }, what: string) => {
    assert.deepEqual([r.status, r.body?.error?.code], [403, 'forbidden'], what);
    assert.match(r.body.error.message, /not allowed to use this embed token/);
  };

  const url = await mint([PORTAL]);
  assert.equal((await upgradeAnswer(url, { origin: PORTAL })).status, 101, 'the portal the token names');
  assert.equal((await upgradeAnswer(url, { origin: h.baseUrl })).status, 101, "the API's own origin (the /kit page)");
  assert.equal((await upgradeAnswer(url)).status, 101, 'a server (no Origin)');
  forbidden(await upgradeAnswer(url, { origin: 'https://evil.example.org' }), 'another site');

  const plain = await mint();
  forbidden(await upgradeAnswer(plain, { origin: PORTAL }), 'a token minted without origins, from another site');
  assert.equal((await upgradeAnswer(plain, { origin: h.baseUrl })).status, 101, 'same origin');

  // A realtime token minted with the API key itself (a server handing a page a stream) keeps no origin rule.
  const server = await h.call(apiKey, 'POST', '/v1/realtime/tokens', { conversationId });
  assert.equal((await upgradeAnswer(`${h.baseUrl.replace(/^http/, 'ws')}/v1/realtime?token=${server.body.token}`, { origin: PORTAL })).status, 101);
});

test('an embed token a platform key minted for one of its orgs (Switchboard-Org) leads to a realtime stream too', async () => {
  const { apiKey: platformKey } = await createPlatform(h.engine.db, { name: 'Portal SaaS' });
  const created = await h.call(platformKey, 'POST', '/v1/platform/orgs', { name: 'Birch Flats' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const org = { 'switchboard-org': created.body.org.id as string };
  const inbound = await h.call(created.body.apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { handle: { kind: 'app_user', value: 'res-birch-2a' } }, body: 'Mail room locked', metadata: { unit: '2A' } });
  assert.equal(inbound.status, 201, JSON.stringify(inbound.body));
  const embed = await h.call(platformKey, 'POST', '/v1/embed-tokens', { scopes: ['conversations:read', 'events:read'], metadata: { unit: '2A' }, origins: [PORTAL] }, org);
  assert.equal(embed.status, 201, JSON.stringify(embed.body));
  const rt = await h.call(embed.body.token, 'POST', '/v1/realtime/tokens', { conversationId: inbound.body.conversationId }, { origin: PORTAL });
  assert.equal(rt.status, 201, JSON.stringify(rt.body));
  const url = `${h.baseUrl.replace(/^http/, 'ws')}/v1/realtime?token=${rt.body.token}`;
  assert.equal((await upgradeAnswer(url, { origin: PORTAL })).status, 101, 'the portal streams its conversation');
  assert.equal((await upgradeAnswer(url, { origin: 'https://evil.example.org' })).status, 403);
  // The platform key itself, acting on the org: its realtime token streams too.
  const direct = await h.call(platformKey, 'POST', '/v1/realtime/tokens', { conversationId: inbound.body.conversationId }, org);
  assert.equal(direct.status, 201, JSON.stringify(direct.body));
  assert.equal((await upgradeAnswer(`${h.baseUrl.replace(/^http/, 'ws')}/v1/realtime?token=${direct.body.token}`)).status, 101);
  // Revoking the platform's hold (here: the org suspended by it) ends the stream's admission.
  assert.equal((await h.call(platformKey, 'POST', `/v1/platform/orgs/${created.body.org.id}/suspend`, {})).status, 200);
  assert.equal((await upgradeAnswer(url, { origin: PORTAL })).status, 401);
});
