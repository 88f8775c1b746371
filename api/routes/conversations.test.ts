import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';
import { findOrCreateContactByHandle } from '../../core/identity/contacts.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

async function contact(orgId: string, kind: string, value: string) {
  return h.engine.tenant(orgId, (tx) => findOrCreateContactByHandle(tx, { kind, value }));
}

async function inbound(apiKey: string, from: object, metadata?: object) {
  const r = await h.call(apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from, body: 'hello', metadata });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

const updatedEvents = async (apiKey: string, conversationId: string) =>
  (await h.call(apiKey, 'GET', `/v1/sync?types=conversation.updated&conversationId=${conversationId}`)).body.events.map((e: any) => e.data);

test('PATCH merges metadata (null removes a key), changes status and subject, and records conversation.updated', async () => {
  const { apiKey } = await h.newOrg();
  const m = await inbound(apiKey, { handle: { kind: 'app_user', value: 'tenant-1' } }, { unit: '4B', job: 'J-9' });
  const id = m.conversationId;
  const r = await h.call(apiKey, 'PATCH', `/v1/conversations/${id}`, { metadata: { job: null, site: 'North', floor: 3 }, status: 'snoozed', subject: 'Leak' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.metadata, { unit: '4B', site: 'North', floor: 3 });
  assert.equal(r.body.status, 'snoozed');
  assert.equal(r.body.subject, 'Leak');
  assert.deepEqual((await h.call(apiKey, 'GET', `/v1/conversations?metadata[floor]=3`)).body.data.map((c: any) => c.id), [id], '"3" finds the number 3');
  assert.deepEqual((await h.call(apiKey, 'GET', `/v1/conversations?status=snoozed`)).body.data.map((c: any) => c.id), [id]);

  const same = await h.call(apiKey, 'PATCH', `/v1/conversations/${id}`, { status: 'snoozed' });
  assert.equal(same.status, 200);
  const events = await updatedEvents(apiKey, id);
  assert.equal(events.length, 1, 'a PATCH that changes nothing records nothing');
  assert.deepEqual(events[0].changes, ['status', 'metadata', 'subject']);

  for (const body of [{}, { status: 'archived' }, { metadata: 'x' }, { owner: 'me' }]) {
    assert.equal((await h.call(apiKey, 'PATCH', `/v1/conversations/${id}`, body)).status, 400, JSON.stringify(body));
  }
});

test('participants are added and removed; a duplicate is a 409', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const m = await inbound(apiKey, { handle: { kind: 'app_user', value: 'tenant-2' } });
  const vendor = await contact(orgId, 'phone', '+14155550160');
  const path = `/v1/conversations/${m.conversationId}/participants`;
  const added = await h.call(apiKey, 'POST', path, { contactId: vendor.contactId, role: 'vendor', channel: 'sms', handleId: vendor.handleId });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  const agent = await h.call(apiKey, 'POST', path, { userRef: 'agent-42', role: 'agent' });
  assert.equal(agent.status, 201);
  assert.deepEqual(
    agent.body.participants.map((p: any) => [p.role, p.contactId ?? p.userRef, p.channel, p.handleId]),
    [['customer', m.contactId, 'chat', agent.body.participants[0].handleId], ['vendor', vendor.contactId, 'sms', vendor.handleId], ['agent', 'agent-42', 'chat', null]],
  );
  assert.equal((await h.call(apiKey, 'POST', path, { userRef: 'agent-42', role: 'agent' })).status, 409);
  assert.equal((await h.call(apiKey, 'POST', path, { role: 'agent' })).status, 400);
  assert.equal((await h.call(apiKey, 'POST', path, { contactId: vendor.contactId, userRef: 'x', role: 'agent' })).status, 400);
  assert.equal((await h.call(apiKey, 'POST', path, { contactId: m.contactId, role: 'observer', handleId: vendor.handleId })).status, 400);
  assert.equal((await h.call(apiKey, 'POST', path, { userRef: 'x', role: 'boss' })).status, 400);

  const vendorId = added.body.participants[1].id;
  const removed = await h.call(apiKey, 'DELETE', `${path}/${vendorId}`);
  assert.equal(removed.status, 200);
  assert.deepEqual(removed.body.participants.map((p: any) => p.role), ['customer', 'agent']);
  assert.equal((await h.call(apiKey, 'DELETE', `${path}/${vendorId}`)).status, 404);
  assert.deepEqual((await updatedEvents(apiKey, m.conversationId)).map((d: any) => d.changes), [['participants'], ['participants'], ['participants']]);
});

test('conversations page newest created first and filter by contact', async () => {
  const { apiKey } = await h.newOrg();
  const created: string[] = [];
  for (let i = 0; i < 5; i++) created.push((await inbound(apiKey, { handle: { kind: 'app_user', value: `p${i}` } }, { batch: 'b1' })).conversationId);
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const r: any = await h.call(apiKey, 'GET', `/v1/conversations?metadata[batch]=b1&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    seen.push(...r.body.data.map((c: any) => c.id));
    cursor = r.body.nextCursor;
  } while (cursor);
  assert.deepEqual(seen, [...created].reverse());
  const first = (await h.call(apiKey, 'GET', `/v1/conversations/${created[0]}`)).body;
  assert.deepEqual((await h.call(apiKey, 'GET', `/v1/conversations?contactId=${first.contactId}`)).body.data.map((c: any) => c.id), [created[0]]);
  assert.equal((await h.call(apiKey, 'GET', '/v1/conversations?metadata=x')).status, 400);
  assert.equal((await h.call(apiKey, 'GET', '/v1/conversations?limit=0')).status, 400);
});

test("another org's ids answer 404 on every conversation and message endpoint and change nothing", async () => {
  const a = await h.newOrg('A');
  const b = await h.newOrg('B');
  const m = await inbound(a.apiKey, { handle: { kind: 'app_user', value: 'a-user' } }, { unit: '1A' });
  const conv = (await h.call(a.apiKey, 'GET', `/v1/conversations/${m.conversationId}`)).body;
  const participantId = conv.participants[0].id;
  const bContact = await contact(b.orgId, 'app_user', 'b-user');
  const requests: [string, string, unknown?][] = [
    ['GET', `/v1/conversations/${m.conversationId}`],
    ['PATCH', `/v1/conversations/${m.conversationId}`, { status: 'closed' }],
    ['POST', `/v1/conversations/${m.conversationId}/participants`, { userRef: 'spy', role: 'observer' }],
    ['POST', `/v1/conversations/${m.conversationId}/participants`, { contactId: m.contactId, role: 'observer' }],
    ['DELETE', `/v1/conversations/${m.conversationId}/participants/${participantId}`],
    ['GET', `/v1/conversations/${m.conversationId}/messages`],
    ['GET', `/v1/messages/${m.id}`],
    ['POST', '/v1/messages', { conversationId: m.conversationId, body: 'into A' }],
    ['POST', '/v1/messages', { direction: 'inbound', channel: 'chat', conversationId: m.conversationId, from: { contactId: bContact.contactId }, body: 'into A' }],
    ['POST', '/v1/messages', { channel: 'chat', to: { contactId: m.contactId }, body: 'to A' }],
    ['POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { contactId: m.contactId }, body: 'as A' }],
    ['POST', '/v1/send', { channel: 'chat', to: { contactId: m.contactId }, body: 'to A' }],
  ];
  for (const [method, path, body] of requests) {
    const r = await h.call(b.apiKey, method, path, body);
    assert.equal(r.status, 404, `${method} ${path} ${JSON.stringify(body)} → ${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, 'not_found');
    assert.ok(!JSON.stringify(r.body).includes('hello'));
  }
  assert.deepEqual((await h.call(b.apiKey, 'GET', '/v1/conversations?metadata[unit]=1A')).body.data, []);
  const after = (await h.call(a.apiKey, 'GET', `/v1/conversations/${m.conversationId}`)).body;
  assert.deepEqual(after, conv);
  assert.equal((await h.call(a.apiKey, 'GET', `/v1/conversations/${m.conversationId}/messages`)).body.data.length, 1);
});
