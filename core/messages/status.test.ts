import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';
import { createOutbound } from './outbound.ts';
import { ingestInbound } from './ingest.ts';
import { applyStatus, canMove, type MessageRef } from './status.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const connectionId = '0190a000-0000-7000-8000-0000000000aa';

async function outbound(orgId: string, providerMessageId: string) {
  const { message } = await h.engine.tenant(orgId, (tx) =>
    createOutbound(tx, { channel: 'sms', to: { handle: { kind: 'phone', value: '+14155550199' } }, body: 'Your tech is on the way' }),
  );
  // What the send job records once the provider accepted the message.
  await h.engine.tenant(orgId, (tx) => tx.trx('messages').where({ id: message.id }).update({ connection_id: connectionId, provider_message_id: providerMessageId }));
  return message;
}

const statusEvents = (orgId: string, messageId: string) =>
  h.engine.tenant(orgId, async (tx) =>
    (await tx.trx('events').where({ type: 'message.status_changed', subject_id: messageId }).orderBy('seq')).map((e: any) =>
      tx.crypto.decryptJson<any>(e.id, 'data', e.data_enc),
    ),
  );

test('status only moves forward: a late sent after delivered is ignored, read after delivered applies', async () => {
  const { orgId } = await h.newOrg();
  const m = await outbound(orgId, 'SM100');
  const byProvider: MessageRef = { connectionId, providerMessageId: 'SM100' };
  const apply = (ref: MessageRef, status: string) => h.engine.tenant(orgId, (tx) => applyStatus(tx, ref, status));
  const steps = [
    [{ messageId: m.id }, 'sent', true],
    [byProvider, 'delivered', true],
    [byProvider, 'sent', false],
    [byProvider, 'delivered', false],
    [byProvider, 'queued', false],
    [byProvider, 'read', true],
    [byProvider, 'delivered', false],
  ] as const;
  for (const [ref, status, changed] of steps) {
    const r = await apply(ref, status);
    assert.equal(r.changed, changed, `${status}`);
  }
  const final = await apply({ messageId: m.id }, 'sent');
  assert.equal(final.message.status, 'read');
  const events = await statusEvents(orgId, m.id);
  assert.deepEqual(events.map((e) => [e.from, e.to]), [['queued', 'sent'], ['sent', 'delivered'], ['delivered', 'read']]);
});

test('failed carries the provider error code and text; blocked only follows queued', async () => {
  const { orgId } = await h.newOrg();
  const m = await outbound(orgId, 'SM200');
  const r = await h.engine.tenant(orgId, (tx) =>
    applyStatus(tx, { connectionId, providerMessageId: 'SM200' }, 'failed', { errorCode: '30003', errorMessage: 'Unreachable +14155550199' }),
  );
  assert.equal(r.changed, true);
  assert.equal(r.message.errorCode, '30003');
  assert.equal(r.message.errorMessage, 'Unreachable +14155550199');
  const row = await h.engine.tenant(orgId, (tx) => tx.trx('messages').where({ id: m.id }).first());
  assert.ok(!Buffer.from(row.error_message_enc).includes('+14155550199'));
  assert.equal((await statusEvents(orgId, m.id))[0].errorCode, '30003');

  assert.equal((await h.engine.tenant(orgId, (tx) => applyStatus(tx, { messageId: m.id }, 'blocked'))).changed, false);
  const fresh = await outbound(orgId, 'SM201');
  assert.equal((await h.engine.tenant(orgId, (tx) => applyStatus(tx, { messageId: fresh.id }, 'blocked'))).changed, true);
  assert.equal((await h.engine.tenant(orgId, (tx) => applyStatus(tx, { messageId: fresh.id }, 'sent'))).changed, false);
});

test('an inbound message can only be marked read; unknown statuses and messages are errors', async () => {
  const { orgId } = await h.newOrg();
  const { message } = await h.engine.tenant(orgId, (tx) =>
    ingestInbound(tx, { channel: 'chat', from: { handle: { kind: 'app_user', value: 'u1' } }, body: 'hello' }),
  );
  assert.equal((await h.engine.tenant(orgId, (tx) => applyStatus(tx, { messageId: message.id }, 'delivered'))).changed, false);
  assert.equal((await h.engine.tenant(orgId, (tx) => applyStatus(tx, { messageId: message.id }, 'read'))).changed, true);
  await assert.rejects(h.engine.tenant(orgId, (tx) => applyStatus(tx, { messageId: message.id }, 'bounced')), { code: 'validation_failed' });
  await assert.rejects(h.engine.tenant(orgId, (tx) => applyStatus(tx, { connectionId, providerMessageId: 'nope' }, 'sent')), { code: 'not_found' });
  const other = await h.newOrg();
  await assert.rejects(h.engine.tenant(other.orgId, (tx) => applyStatus(tx, { messageId: message.id }, 'read')), { code: 'not_found' });
});

test('the rank table', () => {
  assert.equal(canMove('queued', 'failed'), true);
  assert.equal(canMove('failed', 'delivered'), false);
  assert.equal(canMove('undelivered', 'read'), true);
  assert.equal(canMove('sent', 'blocked'), false);
  assert.equal(canMove('blocked', 'read'), false);
});
