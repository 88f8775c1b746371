import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';

let h: Harness;
let admin: string;
beforeAll(async () => {
  h = await startHarness();
  admin = (await h.newOrg()).apiKey;
});
afterAll(async () => h?.close());

test('keys are scoped: a key without the scope gets 403, with it 200; the secret is shown once', async () => {
  const made = await h.call(admin, 'POST', '/v1/api-keys', { name: 'reader', scopes: ['messages:read'] });
  assert.equal(made.status, 201);
  assert.match(made.body.secret, /^sb_live_/);
  assert.ok(made.body.secret.startsWith(made.body.prefix));
  const denied = await h.call(made.body.secret, 'GET', '/v1/sync');
  assert.equal(denied.status, 403);
  assert.equal(denied.body.error.code, 'forbidden');
  const feed = await h.call(admin, 'POST', '/v1/api-keys', { name: 'feed', scopes: ['events:read'] });
  assert.equal((await h.call(feed.body.secret, 'GET', '/v1/sync')).status, 200);
  const list = await h.call(admin, 'GET', '/v1/api-keys');
  assert.ok(list.body.data.length >= 3);
  assert.ok(list.body.data.every((k: any) => k.secret === undefined));
});

test('unknown scopes are refused with the field at fault', async () => {
  const r = await h.call(admin, 'POST', '/v1/api-keys', { name: 'x', scopes: ['everything'] });
  assert.equal(r.status, 400);
  assert.equal(r.body.error.details[0].field, '/scopes/0');
});

test('a revoked key stops working at once', async () => {
  const made = await h.call(admin, 'POST', '/v1/api-keys', { name: 'temp', scopes: ['events:read'] });
  assert.equal((await h.call(made.body.secret, 'GET', '/v1/sync')).status, 200);
  const revoked = await h.call(admin, 'DELETE', `/v1/api-keys/${made.body.id}`);
  assert.equal(revoked.status, 200);
  assert.ok(revoked.body.revokedAt);
  assert.equal((await h.call(made.body.secret, 'GET', '/v1/sync')).status, 401);
});

test('Idempotency-Key: same key and body replays the response; another body is a 409', async () => {
  const headers = { 'Idempotency-Key': 'create-key-1' };
  const first = await h.call(admin, 'POST', '/v1/api-keys', { name: 'once', scopes: ['events:read'] }, headers);
  const again = await h.call(admin, 'POST', '/v1/api-keys', { name: 'once', scopes: ['events:read'] }, headers);
  assert.equal(again.status, 201);
  assert.equal(again.body.id, first.body.id);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  const list = await h.call(admin, 'GET', '/v1/api-keys');
  assert.equal(list.body.data.filter((k: any) => k.name === 'once').length, 1);
  const other = await h.call(admin, 'POST', '/v1/api-keys', { name: 'twice', scopes: ['events:read'] }, headers);
  assert.equal(other.status, 409);
  assert.equal(other.body.error.code, 'idempotency_key_reused');
  // A refused request is replayed as refused too.
  const bad = { 'Idempotency-Key': 'bad-1' };
  const r1 = await h.call(admin, 'POST', '/v1/api-keys', { name: 'x', scopes: ['nope'] }, bad);
  const r2 = await h.call(admin, 'POST', '/v1/api-keys', { name: 'x', scopes: ['nope'] }, bad);
  assert.equal(r1.status, 400);
  assert.equal(r2.status, 400);
});

test('cross-tenant: another org revoking this key gets 404 and the key keeps working', async () => {
  const other = await h.newOrg('Other');
  const made = await h.call(admin, 'POST', '/v1/api-keys', { name: 'mine', scopes: ['events:read'] });
  const r = await h.call(other.apiKey, 'DELETE', `/v1/api-keys/${made.body.id}`);
  assert.equal(r.status, 404);
  assert.equal((await h.call(made.body.secret, 'GET', '/v1/sync')).status, 200);
});
