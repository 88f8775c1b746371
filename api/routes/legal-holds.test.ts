import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';
import { isUnderLegalHold } from '../../core/compliance/legal-holds.ts';
import { mergeContacts } from '../../core/identity/merge.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

async function contactWithConversation(apiKey: string, user: string) {
  const contact = await h.call(apiKey, 'POST', '/v1/contacts', { handles: [{ kind: 'app_user', value: user }] });
  const msg = await h.call(apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { contactId: contact.body.id }, body: 'hi' });
  assert.equal(msg.status, 201, JSON.stringify(msg.body));
  return { contactId: contact.body.id as string, conversationId: msg.body.conversationId as string };
}

test('place, list, get and release legal holds; a release keeps the hold with its release time', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const a = await contactWithConversation(apiKey, 'a');
  const b = await contactWithConversation(apiKey, 'b');
  const onConv = await h.call(apiKey, 'POST', '/v1/legal-holds', { targetType: 'conversation', targetId: a.conversationId, reason: 'Case 24-118' });
  assert.equal(onConv.status, 201, JSON.stringify(onConv.body));
  assert.equal(onConv.body.object, 'legal_hold');
  assert.equal(onConv.body.targetType, 'conversation');
  assert.equal(onConv.body.reason, 'Case 24-118');
  assert.match(onConv.body.createdBy, /^api_key:/);
  assert.equal(onConv.body.releasedAt, null);
  const onContact = await h.call(apiKey, 'POST', '/v1/legal-holds', { targetType: 'contact', targetId: b.contactId, reason: 'Subpoena' });
  assert.equal(onContact.status, 201);

  const list = await h.call(apiKey, 'GET', '/v1/legal-holds');
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.data.map((x: any) => x.id), [onContact.body.id, onConv.body.id]);
  assert.deepEqual((await h.call(apiKey, 'GET', '/v1/legal-holds?limit=1')).body.hasMore, true);
  assert.deepEqual((await h.call(apiKey, 'GET', `/v1/legal-holds?targetId=${b.contactId}`)).body.data.map((x: any) => x.id), [onContact.body.id]);
  assert.deepEqual((await h.call(apiKey, 'GET', `/v1/legal-holds/${onConv.body.id}`)).body, onConv.body);

  const released = await h.call(apiKey, 'DELETE', `/v1/legal-holds/${onConv.body.id}`);
  assert.equal(released.status, 200);
  assert.ok(released.body.releasedAt);
  assert.match(released.body.releasedBy, /^api_key:/);
  const again = await h.call(apiKey, 'DELETE', `/v1/legal-holds/${onConv.body.id}`);
  assert.equal(again.body.releasedAt, released.body.releasedAt, 'releasing twice changes nothing');
  assert.deepEqual((await h.call(apiKey, 'GET', '/v1/legal-holds?status=active')).body.data.map((x: any) => x.id), [onContact.body.id]);
  assert.deepEqual((await h.call(apiKey, 'GET', '/v1/legal-holds?status=released')).body.data.map((x: any) => x.id), [onConv.body.id]);

  const held = (t: { contactId?: string; conversationId?: string }) => h.engine.tenant(orgId, (tx) => isUnderLegalHold(tx, t));
  assert.equal(await held({ conversationId: a.conversationId }), false);
  assert.equal(await held({ contactId: a.contactId }), false);
  assert.equal(await held({ contactId: b.contactId }), true);
  assert.equal(await held({ conversationId: b.conversationId }), true, "a contact hold covers the contact's conversations");

  const events = (await h.call(apiKey, 'GET', '/v1/sync?types=legal_hold.created,legal_hold.released')).body.events;
  assert.deepEqual(events.map((e: any) => e.type), ['legal_hold.created', 'legal_hold.created', 'legal_hold.released']);
  const audited = await h.engine.tenant(orgId, (tx) =>
    tx.trx('audit_log').where('action', 'like', 'legal_hold.%').orderBy('seq').select('action', 'actor_type', 'target_type', 'target_id', 'details'),
  );
  assert.deepEqual(audited.map((a: any) => [a.action, a.actor_type, a.target_type, a.target_id, a.details.holdId]), [
    ['legal_hold.created', 'api_key', 'conversation', a.conversationId, onConv.body.id],
    ['legal_hold.created', 'api_key', 'contact', b.contactId, onContact.body.id],
    ['legal_hold.released', 'api_key', 'conversation', a.conversationId, onConv.body.id],
  ]);
});

test('isUnderLegalHold: a held conversation holds its contact; a held contact merged into another holds the survivor', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const a = await contactWithConversation(apiKey, 'a');
  const b = await contactWithConversation(apiKey, 'b');
  const c = await contactWithConversation(apiKey, 'c');
  await h.call(apiKey, 'POST', '/v1/legal-holds', { targetType: 'conversation', targetId: a.conversationId, reason: 'x' });
  await h.call(apiKey, 'POST', '/v1/legal-holds', { targetType: 'contact', targetId: b.contactId, reason: 'y' });
  const held = (t: { contactId?: string; conversationId?: string }) => h.engine.tenant(orgId, (tx) => isUnderLegalHold(tx, t));
  assert.equal(await held({ contactId: a.contactId }), true, 'erasing a would destroy held messages');
  assert.equal(await held({ contactId: c.contactId }), false);
  await h.engine.tenant(orgId, (tx) => mergeContacts(tx, c.contactId, b.contactId, 'test'));
  assert.equal(await held({ contactId: c.contactId }), true);
  assert.equal(await held({ conversationId: c.conversationId }), true);
});

test('unknown and other orgs’ targets and holds answer 404; bad input 400; other scopes 403', async () => {
  const mine = await h.newOrg();
  const theirs = await h.newOrg();
  const t = await contactWithConversation(theirs.apiKey, 't');
  for (const body of [
    { targetType: 'conversation', targetId: t.conversationId, reason: 'x' },
    { targetType: 'contact', targetId: t.contactId, reason: 'x' },
    { targetType: 'contact', targetId: t.conversationId, reason: 'a conversation id is not a contact' },
  ]) {
    const res = await h.call(mine.apiKey, 'POST', '/v1/legal-holds', body);
    assert.equal(res.status, 404, JSON.stringify(body));
    assert.equal(res.body.error.details[0].field, '/targetId');
  }
  const theirHold = await h.call(theirs.apiKey, 'POST', '/v1/legal-holds', { targetType: 'contact', targetId: t.contactId, reason: 'x' });
  assert.equal((await h.call(mine.apiKey, 'GET', `/v1/legal-holds/${theirHold.body.id}`)).status, 404);
  assert.equal((await h.call(mine.apiKey, 'DELETE', `/v1/legal-holds/${theirHold.body.id}`)).status, 404);
  assert.equal((await h.call(theirs.apiKey, 'GET', `/v1/legal-holds/${theirHold.body.id}`)).body.releasedAt, null, 'not released by the other org');
  assert.deepEqual((await h.call(mine.apiKey, 'GET', '/v1/legal-holds')).body.data, []);
  assert.equal((await h.call(mine.apiKey, 'DELETE', '/v1/legal-holds/not-a-uuid')).status, 404);

  for (const body of [{ targetType: 'message', targetId: t.contactId, reason: 'x' }, { targetType: 'contact', targetId: t.contactId }, { targetType: 'contact', targetId: t.contactId, reason: '' }]) {
    assert.equal((await h.call(mine.apiKey, 'POST', '/v1/legal-holds', body)).status, 400, JSON.stringify(body));
  }
  const reader = await h.call(mine.apiKey, 'POST', '/v1/api-keys', { name: 'r', scopes: ['messages:read', 'contacts:write'] });
  assert.equal((await h.call(reader.body.secret, 'GET', '/v1/legal-holds')).status, 403);
  assert.equal((await h.call(reader.body.secret, 'POST', '/v1/legal-holds', { targetType: 'contact', targetId: t.contactId, reason: 'x' })).status, 403);
});
