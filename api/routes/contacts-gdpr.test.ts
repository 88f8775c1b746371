import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { v7 as uuidv7 } from 'uuid';
import { startHarness, type Harness } from '../../test/harness.ts';
import { onKeywordSignal } from '../../core/connections/keyword-signal.ts';
import { archiveRequest, settleArchived } from '../../core/connections/archive.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => h?.close());

// Ada's CRM record id is an email address, as some CRMs have it: an id that is personal data.
const ADA = { name: 'Ada Lovelace', email: 'ada@example.com', phone: '+14155550134', alias: 'Ada Alias', aliasEmail: 'ada.alias@example.com', crmId: 'ada.crm@example.org' };
const ADA_BODY = { name: ADA.name, attributes: { employer: 'Difference Ltd' }, handles: [{ kind: 'email', value: ADA.email }, { kind: 'phone', value: ADA.phone }] };
const SECRETS = [ADA.name, ADA.email, ADA.phone, ADA.alias, ADA.aliasEmail, ADA.crmId, 'https://crm.example/ada', 'analytical engine', 'Ada subject', 'https://media.example/ada.png', 'Difference'];

/** Ada (with an absorbed alias contact, a link, two messages, a consent signal and an archived request) and Bob in one org. */
async function seed() {
  const { orgId, apiKey } = await h.newOrg();
  const ada = await h.call(apiKey, 'POST', '/v1/contacts', ADA_BODY, { 'idempotency-key': 'create-ada' });
  const alias = await h.call(apiKey, 'POST', '/v1/contacts', { name: ADA.alias, handles: [{ kind: 'email', value: ADA.aliasEmail }] });
  const bob = await h.call(apiKey, 'POST', '/v1/contacts', { name: 'Bob Babbage', handles: [{ kind: 'phone', value: '+14155550199' }] });
  assert.equal((await h.call(apiKey, 'POST', `/v1/contacts/${ada.body.id}/merge`, { contactId: alias.body.id })).status, 200);
  await h.call(apiKey, 'POST', `/v1/contacts/${ada.body.id}/links`, { system: 'hubspot', externalId: ADA.crmId, url: 'https://crm.example/ada' });
  const say = (contactId: string, body: string, extra = {}) =>
    h.call(apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { contactId }, body, ...extra });
  const m1 = await say(ada.body.id, 'About the analytical engine', { subject: 'Ada subject', media: [{ url: 'https://media.example/ada.png' }] });
  const m2 = await say(ada.body.id, 'More on the analytical engine');
  const bobMsg = await say(bob.body.id, 'Bob body stays');
  assert.equal(m1.status, 201, JSON.stringify(m1.body));
  const archived = await h.engine.tenant(orgId, async (tx) => {
    const connectionId = uuidv7();
    await tx.trx('connections').insert({ id: connectionId, org_id: orgId, connector_id: 'twilio', connector_version: '1.0.0', name: 'sms' });
    await onKeywordSignal(tx, { kind: 'opt_out', channel: 'sms', connectionId, from: { kind: 'phone', value: '+1 (415) 555-0134' }, keyword: 'STOP' });
    await onKeywordSignal(tx, { kind: 'opt_out', channel: 'sms', connectionId, from: { kind: 'phone', value: '+14155550199' }, keyword: 'STOP' });
    const id = await archiveRequest(tx, connectionId, { method: 'POST', url: '/hook', headers: {}, body: Buffer.from(`From=${ADA.phone}&Body=analytical engine`) } as never);
    await settleArchived(tx, id, { status: 'processed', messageIds: [m1.body.id] });
    return id;
  });
  return { orgId, apiKey, ada: ada.body, alias: alias.body, bob: bob.body, adaMessages: [m1.body.id, m2.body.id], bobMessage: bobMsg.body.id, archived };
}

test('export holds everything about the contact, decrypted, and nothing about another contact; audited', async () => {
  const s = await seed();
  const res = await h.call(s.apiKey, 'GET', `/v1/contacts/${s.ada.id}/export`);
  assert.equal(res.status, 200);
  const doc = res.body;
  assert.equal(doc.object, 'contact_export');
  assert.deepEqual([doc.contact.id, doc.contact.name, doc.contact.attributes], [s.ada.id, ADA.name, { employer: 'Difference Ltd' }]);
  assert.deepEqual(doc.handles.map((x: any) => x.value).sort(), [ADA.aliasEmail, ADA.email, ADA.phone].sort());
  assert.deepEqual(doc.absorbedContacts.map((c: any) => [c.id, c.name, c.mergedInto]), [[s.alias.id, ADA.alias, s.ada.id]]);
  assert.deepEqual(doc.links.map((l: any) => l.externalId), [ADA.crmId]);
  assert.deepEqual(doc.messages.map((m: any) => m.id), s.adaMessages);
  assert.deepEqual([doc.messages[0].body, doc.messages[0].subject, doc.messages[0].media[0].url], ['About the analytical engine', 'Ada subject', 'https://media.example/ada.png']);
  assert.equal(doc.conversations.length, 1);
  assert.equal(doc.conversations[0].participants[0].contactId, s.ada.id);
  assert.equal(doc.merges.length, 1);
  // Ada's provider opt-out (both purposes on sms) from the ledger; the other number's is not hers.
  assert.deepEqual(doc.consents.map((c: any) => [c.channel, c.purpose, c.status, c.source]).sort(), [
    ['sms', 'marketing', 'opted_out', 'provider'],
    ['sms', 'transactional', 'opted_out', 'provider'],
  ]);
  const raw = JSON.stringify(doc);
  for (const other of ['Bob', '4155550199', s.bobMessage]) assert.ok(!raw.includes(other), other);

  const audit = await h.call(s.apiKey, 'GET', '/v1/audit?action=contact.exported');
  assert.deepEqual(audit.body.data.map((e: any) => [e.target.id, e.details.messages, e.details.handles]), [[s.ada.id, 2, 3]]);
  assert.equal((await h.call(s.apiKey, 'GET', `/v1/contacts/${s.alias.id}/export`)).status, 422, 'merged away: export the survivor');
});

test('erasure destroys PII and content in the database and in the feed, leaves other contacts alone, and is audited', async () => {
  const s = await seed();
  // A webhook receiver that echoed Ada's contact.created event back (its answer is kept with the attempt).
  const attemptId = await h.engine.tenant(s.orgId, async (tx) => {
    const event = await tx.trx('events').where({ type: 'contact.created', subject_id: s.ada.id }).first();
    const [sub, delivery, attempt] = [uuidv7(), uuidv7(), uuidv7()];
    await tx.trx('webhook_subscriptions').insert({ id: sub, org_id: s.orgId, url: 'https://hooks.example/in', event_types: ['contact.created'], secret_enc: tx.crypto.encrypt(sub, 'secret', 'whsec_x') });
    await tx.trx('webhook_deliveries').insert({ id: delivery, org_id: s.orgId, subscription_id: sub, event_id: event.id, event_type: event.type, event_seq: event.seq, status: 'succeeded' });
    await tx.trx('webhook_attempts').insert({
      id: attempt, org_id: s.orgId, delivery_id: delivery, attempt: 1, started_at: new Date(), duration_ms: 5, status_code: 200, outcome: 'succeeded',
      response_enc: tx.crypto.encrypt(attempt, 'response_body', JSON.stringify({ received: { name: ADA.name } })),
    });
    return attempt;
  });
  const res = await h.call(s.apiKey, 'DELETE', `/v1/contacts/${s.ada.id}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(res.body, {
    id: s.ada.id,
    object: 'contact',
    deleted: true,
    erased: { contacts: 2, handles: 3, links: 1, messages: 2, conversations: 1, events: res.body.erased.events, rawInbound: 1, idempotentResponses: 1 },
  });
  assert.ok(res.body.erased.events >= 8);

  for (const path of [`/v1/contacts/${s.ada.id}`, `/v1/contacts/${s.ada.id}/export`, `/v1/contacts/${s.alias.id}`]) {
    assert.equal((await h.call(s.apiKey, 'GET', path)).status, 404, path);
  }
  assert.equal((await h.call(s.apiKey, 'DELETE', `/v1/contacts/${s.ada.id}`)).status, 404);
  assert.equal((await h.call(s.apiKey, 'GET', `/v1/contacts?handle[kind]=email&handle[value]=${ADA.email}`)).body.data.length, 0);

  await h.engine.tenant(s.orgId, async (tx) => {
    assert.equal((await tx.pii('pii.contacts').whereIn('id', [s.ada.id, s.alias.id])).length, 0);
    assert.equal((await tx.pii('pii.contact_handles').whereIn('contact_id', [s.ada.id, s.alias.id])).length, 0);
    const messages = await tx.trx('messages').whereIn('id', s.adaMessages);
    assert.equal(messages.length, 2, 'message rows stay, with their ids and status');
    for (const m of messages) {
      assert.deepEqual([m.body_enc, m.subject_enc, m.media_enc, m.error_message_enc, m.template_enc], [null, null, null, null, null]);
      assert.equal(m.contact_id, s.ada.id);
      assert.ok(m.content_purged_at);
    }
    assert.equal((await tx.trx('external_links').where({ contact_id: s.ada.id })).length, 0);
    assert.equal((await tx.trx('webhook_attempts').where({ id: attemptId }).first()).response_enc, null, 'the receiver\'s echo of her event is gone');
    assert.equal((await tx.trx('raw_inbound').where({ id: s.archived })).length, 0);
    const bob = await tx.trx('messages').where({ id: s.bobMessage }).first();
    assert.equal(tx.crypto.decrypt(bob.id, 'body', bob.body_enc), 'Bob body stays');
    const replay = await tx.trx('idempotency_keys').whereLike('key', '%:create-ada').first();
    assert.ok(!JSON.stringify(tx.crypto.decryptJson(replay.key, 'response', replay.response_enc)).includes(ADA.name));
  });

  const bob = await h.call(s.apiKey, 'GET', `/v1/contacts/${s.bob.id}`);
  assert.deepEqual([bob.status, bob.body.name, bob.body.handles[0].value], [200, 'Bob Babbage', '+14155550199']);

  const feed = await h.call(s.apiKey, 'GET', '/v1/sync?limit=500');
  const text = JSON.stringify(feed.body.events);
  for (const secret of SECRETS) assert.ok(!text.includes(secret), `the feed still holds "${secret}"`);
  assert.ok(text.includes('Bob body stays') && text.includes('Bob Babbage') && text.includes('+14155550199'), 'other contacts untouched');
  const created = feed.body.events.find((e: any) => e.type === 'message.created' && e.subjectId === s.adaMessages[0]);
  assert.deepEqual([created.data.message.id, created.data.message.contactId, created.data.erased], [s.adaMessages[0], s.ada.id, true]);
  const linked = feed.body.events.find((e: any) => e.type === 'contact.updated' && e.subjectId === s.ada.id && e.data.contact?.links?.length);
  assert.ok(linked, 'the feed keeps the event of the link, erased');
  const link = linked.data.contact.links[0];
  assert.deepEqual(link, { id: link.id, data: {}, createdAt: link.createdAt }, 'only our id and time are left of the link');
  const deleted = feed.body.events.find((e: any) => e.type === 'contact.deleted');
  assert.deepEqual(deleted.data, { contactId: s.ada.id, erased: true, absorbedIds: [s.alias.id] });

  const again = await h.call(s.apiKey, 'POST', '/v1/contacts', ADA_BODY, { 'idempotency-key': 'create-ada' });
  assert.deepEqual([again.status, again.body.id, again.headers.get('idempotent-replayed')], [201, s.ada.id, 'true'], 'the replay keeps ids');
  assert.ok(!JSON.stringify(again.body).includes(ADA.email));

  const audit = await h.call(s.apiKey, 'GET', '/v1/audit?action=contact.erased');
  assert.deepEqual(audit.body.data.map((e: any) => [e.target.id, e.details.messages, e.details.handles]), [[s.ada.id, 2, 3]]);
  assert.equal((await h.call(s.apiKey, 'GET', '/v1/audit/verify')).body.ok, true);
});

test('a legal hold on the contact or one of their conversations refuses erasure until released', async () => {
  const s = await seed();
  const conversationId = (await h.call(s.apiKey, 'GET', `/v1/messages/${s.adaMessages[0]}`)).body.conversationId;
  const hold = await h.call(s.apiKey, 'POST', '/v1/legal-holds', { targetType: 'conversation', targetId: conversationId, reason: 'Case 12' });
  assert.equal(hold.status, 201, JSON.stringify(hold.body));
  const refused = await h.call(s.apiKey, 'DELETE', `/v1/contacts/${s.ada.id}`);
  assert.deepEqual([refused.status, refused.body.error.code], [409, 'legal_hold']);
  assert.equal((await h.call(s.apiKey, 'GET', `/v1/contacts/${s.ada.id}`)).body.name, ADA.name, 'nothing erased');
  assert.equal((await h.call(s.apiKey, 'DELETE', `/v1/legal-holds/${hold.body.id}`)).status, 200);
  assert.equal((await h.call(s.apiKey, 'DELETE', `/v1/contacts/${s.ada.id}`)).status, 200);
});

test('export and erasure of another org’s contact answer 404; erasure needs contacts:write', async () => {
  const s = await seed();
  const other = await h.newOrg();
  assert.equal((await h.call(other.apiKey, 'GET', `/v1/contacts/${s.ada.id}/export`)).status, 404);
  assert.equal((await h.call(other.apiKey, 'DELETE', `/v1/contacts/${s.ada.id}`)).status, 404);
  const reader = await h.call(s.apiKey, 'POST', '/v1/api-keys', { name: 'r', scopes: ['contacts:read'] });
  assert.equal((await h.call(reader.body.secret, 'GET', `/v1/contacts/${s.ada.id}/export`)).status, 200);
  assert.equal((await h.call(reader.body.secret, 'DELETE', `/v1/contacts/${s.ada.id}`)).status, 403);
  assert.equal((await h.call(s.apiKey, 'GET', `/v1/contacts/${s.ada.id}`)).body.name, ADA.name);
});

test('erasing a contact once merged into another (and unmerged) strips it from that contact’s merge events only', async () => {
  const { apiKey } = await h.newOrg();
  const carol = await h.call(apiKey, 'POST', '/v1/contacts', { name: 'Carol Erased', handles: [{ kind: 'email', value: 'carol@example.com' }] });
  const dan = await h.call(apiKey, 'POST', '/v1/contacts', { name: 'Dan Kept', handles: [{ kind: 'email', value: 'dan@example.com' }] });
  const merged = await h.call(apiKey, 'POST', `/v1/contacts/${dan.body.id}/merge`, { contactId: carol.body.id });
  assert.equal((await h.call(apiKey, 'POST', `/v1/contacts/merges/${merged.body.merge.id}/undo`)).status, 200);
  assert.equal((await h.call(apiKey, 'DELETE', `/v1/contacts/${carol.body.id}`)).status, 200);
  const events = (await h.call(apiKey, 'GET', '/v1/sync?limit=500')).body.events;
  const text = JSON.stringify(events);
  assert.ok(!text.includes('carol@example.com') && !text.includes('Carol Erased'));
  const danCreated = events.find((e: any) => e.type === 'contact.created' && e.subjectId === dan.body.id);
  assert.equal(danCreated.data.contact.name, 'Dan Kept', "Dan's own events keep their content");
  const mergeEvent = events.find((e: any) => e.type === 'contact.merged');
  assert.deepEqual([mergeEvent.data.mergeId, mergeEvent.data.mergedId, mergeEvent.data.erased], [merged.body.merge.id, carol.body.id, true]);
  assert.equal((await h.call(apiKey, 'GET', `/v1/contacts/${dan.body.id}`)).body.handles[0].value, 'dan@example.com');
});
