import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';

/**
 * GET /v1/consents/current: the latest ledger entry per (handle, channel, purpose) — the org's
 * opt-out list with status=opted_out — cursor-paginated, newest change first, the handle shown
 * only through a contact still holding it.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const phone = (value: string) => ({ kind: 'phone', value });

test('the current state per handle: a later entry replaces an earlier one; filters; the handle through its contact; newest change first', async () => {
  const { apiKey } = await h.newOrg();
  const record = async (body: object) => {
    const r = await h.call(apiKey, 'POST', '/v1/consents', body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
  };
  const contact = await h.call(apiKey, 'POST', '/v1/contacts', { name: 'Dana', handles: [phone('+14155550101')] });
  assert.equal(contact.status, 201, JSON.stringify(contact.body));
  // Dana: opted in (both purposes), then opted out of marketing only.
  await record({ contactId: contact.body.id, channel: 'sms', status: 'opted_in', source: 'form' });
  await record({ contactId: contact.body.id, channel: 'sms', purpose: 'marketing', status: 'opted_out' });
  // A bare handle (no contact): opted out of everything, then back in for transactional by email.
  await record({ handle: phone('+14155550102'), channel: 'sms', status: 'opted_out' });
  await record({ handle: { kind: 'email', value: 'pat@example.com' }, channel: 'email', purpose: 'transactional', status: 'opted_in' });

  const all = await h.call(apiKey, 'GET', '/v1/consents/current');
  assert.equal(all.status, 200, JSON.stringify(all.body));
  assert.equal(all.body.object, 'list');
  assert.equal(all.body.hasMore, false);
  const summary = (rows: any[]) => rows.map((r) => `${r.handle?.value ?? r.handleKind} ${r.channel}/${r.purpose} ${r.status}`);
  // Newest change first; Dana's earlier marketing opt-in is replaced by her opt-out.
  assert.deepEqual(summary(all.body.data), [
    'email email/transactional opted_in',
    'phone sms/marketing opted_out',
    'phone sms/transactional opted_out',
    '+14155550101 sms/marketing opted_out',
    '+14155550101 sms/transactional opted_in',
  ]);
  const dana = all.body.data.find((r: any) => r.handle?.value === '+14155550101');
  assert.equal(dana.object, 'consent_state');
  assert.equal(dana.contactId, contact.body.id);
  assert.match(dana.handleIndex, /^[0-9a-f]{16,}$/);
  assert.equal(all.body.data[0].handle, null, 'a handle without a contact is shown by kind only: the ledger holds no value');

  const optOuts = await h.call(apiKey, 'GET', '/v1/consents/current?status=opted_out&channel=sms');
  assert.deepEqual(summary(optOuts.body.data), ['phone sms/marketing opted_out', 'phone sms/transactional opted_out', '+14155550101 sms/marketing opted_out']);
  assert.deepEqual(summary((await h.call(apiKey, 'GET', '/v1/consents/current?status=opted_out&purpose=transactional')).body.data), ['phone sms/transactional opted_out']);
  assert.deepEqual(summary((await h.call(apiKey, 'GET', '/v1/consents/current?channel=mms&status=opted_in')).body.data), ['+14155550101 sms/transactional opted_in'], 'mms is kept under sms');
  assert.deepEqual(summary((await h.call(apiKey, 'GET', `/v1/consents/current?contactId=${contact.body.id}`)).body.data), ['+14155550101 sms/marketing opted_out', '+14155550101 sms/transactional opted_in']);

  // Another org sees none of it.
  const other = await h.newOrg();
  assert.deepEqual((await h.call(other.apiKey, 'GET', '/v1/consents/current')).body.data, []);
});

test('cursor pages walk every current state once; a bad cursor is 400 invalid_cursor; the scope is contacts:read', async () => {
  const { apiKey } = await h.newOrg();
  for (let i = 0; i < 7; i++) {
    const r = await h.call(apiKey, 'POST', '/v1/consents', { handle: phone(`+1415555020${i}`), channel: 'sms', purpose: 'marketing', status: 'opted_out' });
    assert.equal(r.status, 201);
  }
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const r: any = await h.call(apiKey, 'GET', `/v1/consents/current?status=opted_out&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(r.body.data.length <= 3);
    seen.push(...r.body.data.map((x: any) => x.id));
    cursor = r.body.nextCursor;
    assert.equal(r.body.hasMore, cursor !== null);
    pages++;
  } while (cursor);
  assert.equal(pages, 3);
  assert.equal(new Set(seen).size, 7);

  const bad = await h.call(apiKey, 'GET', '/v1/consents/current?cursor=not-a-cursor');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'invalid_cursor');
  const badStatus = await h.call(apiKey, 'GET', '/v1/consents/current?status=maybe');
  assert.equal(badStatus.status, 400);

  const narrow = await h.call(apiKey, 'POST', '/v1/api-keys', { name: 'messages only', scopes: ['messages:read'] });
  assert.equal(narrow.status, 201);
  const refused = await h.call(narrow.body.secret, 'GET', '/v1/consents/current');
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error.code, 'forbidden');
  const reader = await h.call(apiKey, 'POST', '/v1/api-keys', { name: 'contacts reader', scopes: ['contacts:read'] });
  assert.equal((await h.call(reader.body.secret, 'GET', '/v1/consents/current')).body.data.length, 7);
});
