import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';

let h: Harness;
let key: string;
beforeAll(async () => {
  h = await startHarness({ env: { RATE_LIMIT_PER_MINUTE: '40', BODY_LIMIT: '2kb' } });
  key = (await h.newOrg()).apiKey;
});
afterAll(async () => h?.close());

const isError = (body: any, code: string) => {
  assert.equal(body?.error?.code, code, JSON.stringify(body));
  assert.equal(typeof body.error.message, 'string');
};

test('401 without a key on a protected route, and with a wrong or malformed key', async () => {
  for (const auth of [null, 'sb_live_nope', 'garbage']) {
    const r = await h.call(auth, 'GET', '/v1/sync');
    assert.equal(r.status, 401);
    isError(r.body, 'unauthorized');
  }
  const malformed = await fetch(`${h.baseUrl}/v1/sync`, { headers: { authorization: 'Basic abc' } });
  assert.equal(malformed.status, 401);
});

test('health and openapi need no key; openapi is 3.1 and lists the sync route', async () => {
  const health = await h.call(null, 'GET', '/v1/health');
  assert.equal(health.status, 200);
  assert.equal(health.body.database.ok, true);
  assert.equal(health.body.queue.ok, true);
  const doc = await h.call(null, 'GET', '/v1/openapi.json');
  assert.equal(doc.body.openapi, '3.1.0');
  assert.ok(doc.body.paths['/v1/sync'].get);
});

test('404 for unknown routes and non-uuid ids', async () => {
  const r = await h.call(key, 'GET', '/v1/nothing-here');
  assert.equal(r.status, 404);
  isError(r.body, 'not_found');
});

test('400 with the field at fault for a bad query and for invalid JSON', async () => {
  const r = await h.call(key, 'GET', '/v1/sync?limit=0');
  assert.equal(r.status, 400);
  isError(r.body, 'validation_failed');
  assert.equal(r.body.error.details[0].field, '/limit');
  const cursor = await h.call(key, 'GET', '/v1/sync?cursor=bogus');
  assert.equal(cursor.status, 400);
  assert.equal(cursor.body.error.details[0].field, 'cursor');
  const json = await h.call(key, 'POST', '/v1/sync', '{"broken":', { 'content-type': 'application/json' });
  assert.equal(json.status, 400);
  isError(json.body, 'invalid_json');
});

test('413 over the body limit, 415 for a non-JSON body', async () => {
  const big = await h.call(key, 'POST', '/v1/sync', { pad: 'x'.repeat(4000) });
  assert.equal(big.status, 413);
  isError(big.body, 'payload_too_large');
  const form = await h.call(key, 'POST', '/v1/sync', 'a=b', { 'content-type': 'application/x-www-form-urlencoded' });
  assert.equal(form.status, 415);
  isError(form.body, 'unsupported_media_type');
});

test('429 with Retry-After once a key exceeds its rate', async () => {
  const { apiKey } = await h.newOrg('Chatty');
  let limited: Awaited<ReturnType<Harness['call']>> | undefined;
  for (let i = 0; i < 60 && !limited; i++) {
    const r = await h.call(apiKey, 'GET', '/v1/sync');
    if (r.status === 429) limited = r;
  }
  assert.ok(limited, 'expected a 429 within 60 calls at 40/min');
  isError(limited.body, 'rate_limited');
  assert.ok(Number(limited.headers.get('retry-after')) > 0);
});

test('sync pages through events in order with a stable cursor', async () => {
  const { orgId, apiKey } = await h.newOrg('Feed');
  const { appendEvents } = await import('../../core/events/events.ts');
  await h.engine.tenant(orgId, (tx) => appendEvents(tx, Array.from({ length: 5 }, (_, i) => ({ type: 'test.tick', data: { i } }))));
  const first = await h.call(apiKey, 'GET', '/v1/sync?limit=3');
  assert.equal(first.status, 200);
  assert.deepEqual(first.body.events.map((e: any) => e.data.i), [0, 1, 2]);
  assert.equal(first.body.hasMore, true);
  const second = await h.call(apiKey, 'GET', `/v1/sync?limit=3&cursor=${first.body.nextCursor}`);
  assert.deepEqual(second.body.events.map((e: any) => e.data.i), [3, 4]);
  const empty = await h.call(apiKey, 'GET', `/v1/sync?cursor=${second.body.nextCursor}`);
  assert.deepEqual(empty.body.events, []);
  assert.equal(empty.body.nextCursor, second.body.nextCursor);
});
