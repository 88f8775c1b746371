import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';
import { twilioConnection } from '../../test/connections.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

test('senders: create normalized, list, get, update pace and registration, delete', async () => {
  const { apiKey } = await h.newOrg();
  const c = await twilioConnection(h, apiKey);
  const base = `/v1/connections/${c.id}/senders`;
  const created = await h.call(apiKey, 'POST', base, {
    channel: 'sms',
    address: '+1 (415) 555-0100',
    brandId: 'BXXXXXX',
    campaignId: 'CXXXXXX',
    registrationStatus: 'approved',
    messagesPerSecond: 4.5,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const s = created.body;
  assert.deepEqual(
    [s.object, s.connectionId, s.channel, s.address, s.brandId, s.campaignId, s.registrationStatus, s.messagesPerSecond],
    ['sender', c.id, 'sms', '+14155550100', 'BXXXXXX', 'CXXXXXX', 'approved', 4.5],
  );
  const wa = await h.call(apiKey, 'POST', base, { channel: 'whatsapp', address: 'whatsapp:+14155550100' });
  assert.deepEqual([wa.status, wa.body.address, wa.body.messagesPerSecond, wa.body.registrationStatus], [201, '+14155550100', 1, 'unregistered']);
  const dup = await h.call(apiKey, 'POST', base, { channel: 'sms', address: '+14155550100' });
  assert.equal(dup.status, 409);
  const bad = await h.call(apiKey, 'POST', base, { channel: 'sms', address: '555-0100' });
  assert.equal(bad.status, 400);
  const zero = await h.call(apiKey, 'POST', base, { channel: 'sms', address: '+14155550101', messagesPerSecond: 0 });
  assert.equal(zero.status, 400);

  const list = await h.call(apiKey, 'GET', base);
  assert.deepEqual(list.body.data.map((x: { channel: string }) => x.channel), ['sms', 'whatsapp']);
  const patched = await h.call(apiKey, 'PATCH', `${base}/${s.id}`, { messagesPerSecond: 10, registrationStatus: 'rejected' });
  assert.deepEqual([patched.status, patched.body.messagesPerSecond, patched.body.registrationStatus], [200, 10, 'rejected']);
  assert.equal((await h.call(apiKey, 'GET', `${base}/${s.id}`)).body.messagesPerSecond, 10);
  assert.equal((await h.call(apiKey, 'DELETE', `${base}/${s.id}`)).status, 204);
  assert.equal((await h.call(apiKey, 'GET', `${base}/${s.id}`)).status, 404);
});

test("org B cannot list, add to or change org A's senders", async () => {
  const a = await h.newOrg();
  const b = await h.newOrg();
  const c = await twilioConnection(h, a.apiKey);
  const s = (await h.call(a.apiKey, 'POST', `/v1/connections/${c.id}/senders`, { channel: 'sms', address: '+14155550100' })).body;
  assert.equal((await h.call(b.apiKey, 'GET', `/v1/connections/${c.id}/senders`)).status, 404);
  assert.equal((await h.call(b.apiKey, 'POST', `/v1/connections/${c.id}/senders`, { channel: 'sms', address: '+14155550102' })).status, 404);
  assert.equal((await h.call(b.apiKey, 'PATCH', `/v1/connections/${c.id}/senders/${s.id}`, { messagesPerSecond: 100 })).status, 404);
  assert.equal((await h.call(b.apiKey, 'DELETE', `/v1/connections/${c.id}/senders/${s.id}`)).status, 404);
  assert.equal((await h.call(a.apiKey, 'GET', `/v1/connections/${c.id}/senders/${s.id}`)).body.messagesPerSecond, 1);
});
