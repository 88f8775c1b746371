import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startHarness, type Harness } from '../../test/harness.ts';
import { ingestInbound, type InboundInput } from './ingest.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const connectionId = '0190a000-0000-7000-8000-000000000001';

async function org() {
  const { orgId } = await h.newOrg();
  const ingest = (input: Partial<InboundInput>) =>
    h.engine.tenant(orgId, (tx) =>
      ingestInbound(tx, { channel: 'sms', connectionId, from: { handle: { kind: 'phone', value: '+14155550101' } }, to: { address: '+14155550000' }, body: 'hi', ...input }),
    );
  const count = (table: string, where: Record<string, unknown> = {}) =>
    h.engine.tenant(orgId, async (tx) => Number((await tx.trx(table).where(where).count('* as n'))[0].n));
  return { orgId, ingest, count };
}

test('a duplicate inbound (same provider id on the connection) changes nothing and reports the existing message', async () => {
  const { ingest, count } = await org();
  const first = await ingest({ providerMessageId: 'SM001', body: 'first' });
  const again = await ingest({ providerMessageId: 'SM001', body: 'second delivery of the webhook' });
  assert.equal(first.duplicate, false);
  assert.equal(again.duplicate, true);
  assert.equal(again.message.id, first.message.id);
  assert.equal(again.message.body, 'first');
  assert.equal(again.conversation.id, first.conversation.id);
  assert.equal(await count('messages'), 1);
  assert.equal(await count('events', { type: 'message.created' }), 1);
  assert.equal(await count('events', { type: 'conversation.updated' }), 0);

  const otherConnection = await ingest({ providerMessageId: 'SM001', connectionId: '0190a000-0000-7000-8000-000000000002' });
  assert.equal(otherConnection.duplicate, false, 'provider ids are unique per connection only');
  assert.equal(await count('messages'), 2);
});

test('concurrent deliveries of one new message from a new number store it once', async () => {
  const { ingest, count } = await org();
  const from = { handle: { kind: 'phone', value: '+14155550177' } };
  const results = await Promise.all([1, 2, 3].map(() => ingest({ providerMessageId: 'SM-race', from })));
  assert.equal(new Set(results.map((r) => r.message.id)).size, 1);
  assert.equal(results.filter((r) => !r.duplicate).length, 1);
  assert.equal(await count('messages'), 1);
  assert.equal(await count('conversations'), 1);
  assert.equal(await count('events', { type: 'message.created' }), 1);
});

test('message content is encrypted at rest; the new conversation takes the message metadata', async () => {
  const { orgId, ingest } = await org();
  const marker = `MARKER-${crypto.randomBytes(8).toString('hex')}`;
  const r = await ingest({
    channel: 'mms',
    body: `body ${marker}`,
    subject: `subject ${marker}`,
    media: [{ url: `https://media.example/${marker}.jpg`, contentType: 'image/jpeg' }],
    metadata: { unit: '4B' },
  });
  assert.equal(r.message.body, `body ${marker}`);
  assert.deepEqual(r.message.media, [{ url: `https://media.example/${marker}.jpg`, contentType: 'image/jpeg' }]);
  assert.deepEqual(r.conversation.metadata, { unit: '4B' });
  assert.equal(r.message.status, 'received');
  const raw = await h.engine.tenant(orgId, async (tx) => ({
    message: await tx.trx('messages').where({ id: r.message.id }).first(),
    text: (await tx.trx.raw('SELECT m::text AS t FROM messages m')).rows.map((x: { t: string }) => x.t).join('\n'),
    events: (await tx.trx.raw('SELECT e::text AS t FROM events e')).rows.map((x: { t: string }) => x.t).join('\n'),
  }));
  for (const col of ['body_enc', 'subject_enc', 'media_enc']) {
    // PGlite returns bytea as Uint8Array, whose includes() would compare bytes to a string.
    const stored = Buffer.from(raw.message[col]);
    assert.ok(stored.length > marker.length);
    assert.ok(!stored.includes(marker), `${col} holds the marker in clear`);
  }
  assert.ok(!raw.text.includes(marker));
  assert.ok(!raw.events.includes(marker));
});

test('a message from a known contact id threads on the contact; an unknown contact id is a 404 on /from/contactId', async () => {
  const { ingest } = await org();
  const first = await ingest({ channel: 'chat', to: null, from: { handle: { kind: 'app_user', value: 'user-1' } } });
  const second = await ingest({ channel: 'chat', to: null, from: { contactId: first.message.contactId! } });
  assert.equal(second.conversation.id, first.conversation.id);
  assert.equal(second.conversation.senderAddress, null);
  await assert.rejects(ingest({ from: { contactId: '00000000-0000-4000-8000-000000000000' } }), (err: any) => {
    assert.equal(err.code, 'not_found');
    assert.equal(err.details[0].field, '/from/contactId');
    return true;
  });
  await assert.rejects(ingest({ from: { handle: { kind: 'phone', value: '12' } } }), (err: any) => {
    assert.equal(err.code, 'invalid_handle');
    assert.equal(err.details[0].field, '/from/handle/value');
    return true;
  });
});
