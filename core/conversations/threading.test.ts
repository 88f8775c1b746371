import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';
import { ingestInbound, type InboundInput } from '../messages/ingest.ts';
import { createOutbound } from '../messages/outbound.ts';
import { updateConversation } from './service.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const phone = (n: number) => ({ handle: { kind: 'phone', value: `+1415555${String(n).padStart(4, '0')}` } });
const email = (local: string) => ({ handle: { kind: 'email', value: `${local}@example.com` } });
const hoursAgo = (n: number) => new Date(Date.now() - n * 3_600_000);

async function org() {
  const { orgId } = await h.newOrg();
  const ingest = (input: Partial<InboundInput> & Pick<InboundInput, 'from'>) =>
    h.engine.tenant(orgId, (tx) => ingestInbound(tx, { channel: 'sms', to: { address: '+14155550000' }, body: 'hi', ...input }));
  const eventTypes = () =>
    h.engine.tenant(orgId, async (tx) => (await tx.trx('events').orderBy('seq').select('type')).map((r: { type: string }) => r.type));
  return { orgId, ingest, eventTypes };
}

test('same contact, channel and sender address join one conversation; another address or channel starts a new one', async () => {
  const { ingest, eventTypes } = await org();
  const a = await ingest({ from: phone(1) });
  const b = await ingest({ from: phone(1), to: { address: '+1 (415) 555-0000' } });
  assert.equal(a.conversation.participants.length, 1);
  assert.equal(a.conversation.participants[0].role, 'customer');
  assert.equal(a.conversation.participants[0].contactId, a.message.contactId);
  assert.ok(a.conversation.participants[0].handleId);
  assert.equal(b.conversation.id, a.conversation.id, 'the same number written differently is the same address');
  assert.equal(b.conversation.senderAddress, '+14155550000');

  const otherNumber = await ingest({ from: phone(1), to: { address: '+14155550999' } });
  const otherChannel = await ingest({ from: phone(1), channel: 'whatsapp' });
  const otherContact = await ingest({ from: phone(2) });
  const ids = new Set([a.conversation.id, otherNumber.conversation.id, otherChannel.conversation.id, otherContact.conversation.id]);
  assert.equal(ids.size, 4);
  assert.deepEqual(await eventTypes(), [
    'contact.created', 'conversation.created', 'message.created',
    'message.created', 'conversation.updated',
    'conversation.created', 'message.created',
    'conversation.created', 'message.created',
    'contact.created', 'conversation.created', 'message.created',
  ]);
});

test('a conversation idle longer than the reopen window is not joined; the window is an org setting', async () => {
  const { orgId, ingest } = await org();
  const old = await ingest({ from: phone(3), receivedAt: hoursAgo(8 * 24) });
  const fresh = await ingest({ from: phone(3) });
  assert.notEqual(fresh.conversation.id, old.conversation.id, 'outside the default 7 days');

  const recent = await ingest({ from: phone(4), receivedAt: hoursAgo(3) });
  assert.equal((await ingest({ from: phone(4) })).conversation.id, recent.conversation.id, 'inside the default window');

  await h.engine.tenant(orgId, (tx) => tx.trx('orgs').where({ id: orgId }).update({ settings: { reopenWindowHours: 2 } }));
  const before = await ingest({ from: phone(5), receivedAt: hoursAgo(3) });
  assert.notEqual((await ingest({ from: phone(5) })).conversation.id, before.conversation.id, 'outside a 2 hour window');
});

test('closed conversations are never joined by threading, but an explicit conversationId reopens them', async () => {
  const { orgId, ingest } = await org();
  const first = await ingest({ from: phone(6) });
  await h.engine.tenant(orgId, (tx) => updateConversation(tx, first.conversation.id, { status: 'closed' }));
  const next = await ingest({ from: phone(6) });
  assert.notEqual(next.conversation.id, first.conversation.id);

  const explicit = await ingest({ from: phone(7), conversationId: first.conversation.id });
  assert.equal(explicit.conversation.id, first.conversation.id, 'an explicit id wins over contact and status');
  assert.equal(explicit.conversation.status, 'open');
  assert.deepEqual(explicit.conversation.participants.map((p) => p.contactId), [first.message.contactId, explicit.message.contactId]);
  const events = await h.engine.tenant(orgId, (tx) => tx.trx('events').where({ type: 'conversation.updated', conversation_id: first.conversation.id }).orderBy('seq'));
  const data = await h.engine.tenant(orgId, async (tx) => events.map((e: any) => tx.crypto.decryptJson<any>(e.id, 'data', e.data_enc)));
  assert.deepEqual(data.map((d) => d.changes), [['status'], ['lastMessageAt', 'participants', 'status']]);
  assert.equal(data[1].conversation.status, 'open');
});

test('a snoozed conversation is joined and woken by an inbound message', async () => {
  const { orgId, ingest } = await org();
  const first = await ingest({ from: phone(8) });
  await h.engine.tenant(orgId, (tx) => updateConversation(tx, first.conversation.id, { status: 'snoozed' }));
  const next = await ingest({ from: phone(8) });
  assert.equal(next.conversation.id, first.conversation.id);
  assert.equal(next.conversation.status, 'open');
});

test('an unknown or foreign explicit conversationId is a 404 naming the field', async () => {
  const a = await org();
  const b = await org();
  const inA = await a.ingest({ from: phone(9) });
  for (const id of [inA.conversation.id, '00000000-0000-4000-8000-000000000000']) {
    await assert.rejects(b.ingest({ from: phone(9), conversationId: id }), (err: any) => {
      assert.equal(err.code, 'not_found');
      assert.deepEqual(err.details, [{ field: '/conversationId', reason: 'no such conversation' }]);
      return true;
    });
  }
});

test('email threads by In-Reply-To and References before contact and address', async () => {
  const { orgId, ingest } = await org();
  const mail = (from: ReturnType<typeof email>, headers: InboundInput['email'], to = 'support@acme.test') =>
    ingest({ channel: 'email', from, to: { address: to }, subject: 'Leak in 4B', email: headers });
  const root = await mail(email('alice'), { messageId: '<m1.abc@Mail.Example.com>' });
  assert.equal(root.conversation.subject, 'Leak in 4B');

  const reply = await mail(email('bob'), { messageId: '<m2@x.test>', inReplyTo: '<m1.abc@mail.example.COM>' });
  assert.equal(reply.conversation.id, root.conversation.id, 'another sender replying in the thread joins it');
  assert.equal(reply.conversation.participants.length, 2);

  const viaRefs = await mail(email('carol'), { messageId: '<m3@x.test>', references: '<unknown@x.test> <m2@x.test>' }, 'billing@acme.test');
  assert.equal(viaRefs.conversation.id, root.conversation.id, 'References thread even from another address');

  const unrelated = await mail(email('dave'), { messageId: '<m4@x.test>', inReplyTo: '<nothing@x.test>' });
  assert.notEqual(unrelated.conversation.id, root.conversation.id);

  await h.engine.tenant(orgId, (tx) => updateConversation(tx, root.conversation.id, { status: 'closed' }));
  const afterClose = await mail(email('erin'), { messageId: '<m5@x.test>', inReplyTo: '<m1.abc@mail.example.com>' });
  assert.notEqual(afterClose.conversation.id, root.conversation.id, 'a closed thread is not joined by headers');
});

test('an outbound message threads with the contact and an inbound reply joins it', async () => {
  const { orgId, ingest } = await org();
  const out = await h.engine.tenant(orgId, (tx) =>
    createOutbound(tx, { channel: 'sms', to: phone(10), from: { address: '+14155550000' }, body: 'Tech en route', metadata: { job: 'J-1' } }),
  );
  assert.equal(out.message.status, 'queued');
  assert.equal(out.message.direction, 'outbound');
  assert.deepEqual(out.conversation.metadata, { job: 'J-1' });
  const reply = await ingest({ from: phone(10) });
  assert.equal(reply.conversation.id, out.conversation.id);

  const noSender = await h.engine.tenant(orgId, (tx) => createOutbound(tx, { channel: 'sms', to: phone(10), body: 'Done' }));
  assert.equal(noSender.conversation.id, out.conversation.id, 'without a sender address the latest conversation on the channel is joined');
  assert.equal(noSender.message.senderAddress, null);
});
