import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';
import { syncEvents } from '../../test/connections.ts';

/** /v1/sync read backwards (order=desc), as an event-log screen browses it; forward sync is unchanged. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

test('order=desc pages newest first with the same filters; the pages together are the forward feed reversed', async () => {
  const { apiKey } = await h.newOrg();
  for (let i = 0; i < 5; i++) assert.equal((await h.call(apiKey, 'POST', '/v1/contacts', { name: `C${i}`, handles: [{ kind: 'app_user', value: `u${i}` }] })).status, 201);
  const forward = await syncEvents(h, apiKey, (events) => events.filter((e) => e.type === 'contact.created').length === 5);
  const ids = (forward as any[]).map((e) => e.id);
  const backwards: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10; pages++) {
    const res = await h.call(apiKey, 'GET', `/v1/sync?order=desc&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    backwards.push(...res.body.events.map((e: any) => e.id));
    if (!res.body.hasMore) break;
    cursor = res.body.nextCursor;
  }
  assert.deepEqual(backwards, [...ids].reverse());
  const typed = await h.call(apiKey, 'GET', '/v1/sync?order=desc&types=contact.created&limit=1');
  assert.equal(typed.body.events[0].id, (forward as any[]).filter((e) => e.type === 'contact.created').at(-1).id);
  assert.equal((await h.call(apiKey, 'GET', '/v1/sync?order=sideways')).status, 400);
});
