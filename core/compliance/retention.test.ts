import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { v7 as uuidv7 } from 'uuid';
import { startHarness, testEnv, type Harness } from '../../test/harness.ts';
import { loadConfig } from '../config.ts';
import { ingestInbound } from '../messages/ingest.ts';
import { createOutbound } from '../messages/outbound.ts';
import { applyStatus } from '../messages/status.ts';
import { archiveRequest, settleArchived } from '../connections/archive.ts';
import { runRetention, startRetentionJob } from './retention-job.ts';
import { attachTemplate } from '../send/template.ts';
import { MESSAGE_CONTENT_COLUMNS } from '../messages/content.ts';
import { enrich } from '../../ai/enrich.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const DAY = 86_400_000;
const KIND: Record<string, string> = { sms: 'phone', mms: 'phone', whatsapp: 'phone', email: 'email', chat: 'app_user' };
const TO: Record<string, string> = { sms: '+14155550000', mms: '+14155550000', email: 'support@acme.test' };
let seq = 0;
const handleFor = (channel: string) =>
  KIND[channel] === 'email' ? `person${++seq}@example.test` : KIND[channel] === 'phone' ? `+1415555${String(1000 + ++seq)}` : `user-${++seq}`;

interface Seed {
  channel: string;
  ageDays: number;
  from?: { contactId: string };
  body?: string;
  subject?: string;
}

async function inbound(orgId: string, s: Seed) {
  const from = s.from ?? { handle: { kind: KIND[s.channel]!, value: handleFor(s.channel) } };
  const r = await h.engine.tenant(orgId, (tx) =>
    ingestInbound(tx, {
      channel: s.channel,
      from,
      to: TO[s.channel] ? { address: TO[s.channel]! } : null,
      body: s.body ?? `hello on ${s.channel}`,
      subject: s.subject,
      media: [{ url: 'https://media.example.test/secret.jpg', contentType: 'image/jpeg' }],
      metadata: { unit: '4B' },
      receivedAt: new Date(Date.now() - s.ageDays * DAY),
    }),
  );
  return r.message;
}

async function org(retention: unknown) {
  const o = await h.newOrg();
  const res = await h.call(o.apiKey, 'PATCH', '/v1/org', { settings: { retention } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return o;
}

const row = (orgId: string, id: string) => h.engine.tenant(orgId, (tx) => tx.trx('messages').where({ id }).first());
const purged = async (orgId: string, id: string) => (await row(orgId, id)).content_purged_at !== null;

async function syncEvents(apiKey: string) {
  const res = await h.call(apiKey, 'GET', '/v1/sync?limit=500');
  assert.equal(res.status, 200);
  return res.body.events as { type: string; subjectId: string; data: any }[];
}
const createdEvent = (events: { type: string; data: any }[], id: string) => events.find((e) => e.type === 'message.created' && e.data.message.id === id)!;

/** Messages purged in the org according to its audit trail (one retention.purged entry per step). */
async function purgedCount(orgId: string): Promise<number> {
  const rows = await h.engine.tenant(orgId, (tx) => tx.trx('audit_log').where({ action: 'retention.purged' }).pluck('details'));
  return rows.reduce((n: number, d: any) => n + d.counts.messages, 0);
}

test('content past its channel window is destroyed (row, API, sync) while metadata stays; newer content and longer windows are kept', async () => {
  const { orgId, apiKey } = await org({ default: { days: 30 }, channels: { sms: { days: 7 }, email: { days: 60 }, whatsapp: { days: null } } });
  const oldSms = await inbound(orgId, { channel: 'sms', ageDays: 10 });
  const oldMms = await inbound(orgId, { channel: 'mms', ageDays: 8 });
  const newSms = await inbound(orgId, { channel: 'sms', ageDays: 3 });
  const oldChat = await inbound(orgId, { channel: 'chat', ageDays: 40 });
  const newChat = await inbound(orgId, { channel: 'chat', ageDays: 20 });
  const oldEmail = await inbound(orgId, { channel: 'email', ageDays: 90, subject: 'Lease renewal for 4B' });
  const newEmail = await inbound(orgId, { channel: 'email', ageDays: 10, subject: 'Parking' });
  const ancientWhatsapp = await inbound(orgId, { channel: 'whatsapp', ageDays: 4000 });
  // An outbound that failed with provider error text, 10 days ago.
  const failed = await h.engine.tenant(orgId, async (tx) => {
    const m = await createOutbound(tx, { channel: 'sms', to: { handle: { kind: 'phone', value: '+14155557777' } }, body: 'Rent reminder' });
    await applyStatus(tx, { messageId: m.message.id }, 'failed', { errorCode: 'unreachable', errorMessage: 'Number +14155557777 unreachable' });
    await tx.trx('messages').where({ id: m.message.id }).update({ created_at: new Date(Date.now() - 10 * DAY) }).returning('id');
    return m.message;
  });

  await runRetention(h.engine);

  for (const m of [oldSms, oldMms, oldChat, oldEmail, failed]) {
    const r = await row(orgId, m.id);
    assert.equal(r.body_enc, null, `${m.channel} body`);
    assert.equal(r.subject_enc, null);
    assert.equal(r.media_enc, null);
    assert.equal(r.error_message_enc, null);
    assert.ok(r.content_purged_at, `${m.channel} purged at`);
    assert.deepEqual(r.metadata, m.metadata);
    assert.equal(r.status, m.id === failed.id ? 'failed' : m.status);
    assert.equal(r.conversation_id, m.conversationId);
    const api = await h.call(apiKey, 'GET', `/v1/messages/${m.id}`);
    assert.equal(api.status, 200);
    assert.equal(api.body.body, null);
    assert.equal(api.body.subject, null);
    assert.deepEqual(api.body.media, []);
    assert.equal(api.body.errorMessage, null);
    assert.deepEqual(api.body.metadata, m.metadata);
  }
  assert.equal((await row(orgId, failed.id)).error_code, 'unreachable');
  for (const m of [newSms, newChat, newEmail, ancientWhatsapp]) {
    assert.equal(await purged(orgId, m.id), false, `${m.channel} ${m.createdAt} kept`);
    assert.equal((await h.call(apiKey, 'GET', `/v1/messages/${m.id}`)).body.body, m.body);
  }

  const events = await syncEvents(apiKey);
  for (const m of [oldSms, oldChat, oldEmail]) {
    const e = createdEvent(events, m.id).data.message;
    assert.equal(e.body, null);
    assert.equal(e.subject, null);
    assert.deepEqual(e.media, []);
    assert.deepEqual(e.metadata, { unit: '4B' });
    assert.equal(e.status, 'received');
    assert.ok(e.contentPurgedAt);
  }
  assert.equal(createdEvent(events, newSms.id).data.message.body, newSms.body);
  assert.deepEqual(createdEvent(events, newEmail.id).data.message.media, newEmail.media);
  const statusChange = events.find((e) => e.type === 'message.status_changed' && e.data.messageId === failed.id)!;
  assert.equal(statusChange.data.errorMessage, null);
  assert.equal(statusChange.data.errorCode, 'unreachable');
  // The old email's conversation lost its subject (all its messages are purged); the new one kept it.
  assert.equal((await h.call(apiKey, 'GET', `/v1/conversations/${oldEmail.conversationId}`)).body.subject, null);
  assert.equal((await h.call(apiKey, 'GET', `/v1/conversations/${newEmail.conversationId}`)).body.subject, 'Parking');
  const convCreated = events.find((e) => e.type === 'conversation.created' && e.subjectId === oldEmail.conversationId)!;
  assert.equal(convCreated.data.conversation.subject, null);
  assert.equal(await purgedCount(orgId), 5);
});

test('template variables and email Message-IDs are content: retention clears every column erasure clears', async () => {
  const { orgId, apiKey } = await org({ default: { days: 30 } });
  const email = await h.engine.tenant(orgId, async (tx) =>
    (await ingestInbound(tx, {
      channel: 'email',
      from: { handle: { kind: 'email', value: 'jane.tenant@example.test' } },
      to: { address: 'support@acme.test' },
      body: 'About my lease',
      email: { messageId: '<jane.tenant.lease-4B@mail.example.test>' },
      receivedAt: new Date(Date.now() - 40 * DAY),
    })).message,
  );
  const reminder = await h.engine.tenant(orgId, async (tx) => {
    const m = await createOutbound(tx, { channel: 'whatsapp', to: { handle: { kind: 'whatsapp', value: '+14155557001' } } });
    await attachTemplate(tx, m.message.id, { id: 'visit_reminder', variables: { name: 'Jane Tenant', when: 'Tuesday 9am, unit 4B' } });
    await tx.trx('messages').where({ id: m.message.id }).update({ created_at: new Date(Date.now() - 40 * DAY) }).returning('id');
    return m.message;
  });
  const before = await row(orgId, email.id);
  assert.ok(before.rfc_message_id_enc, 'the seed holds a Message-ID');
  assert.ok((await row(orgId, reminder.id)).template_enc, 'the seed holds template variables');

  await runRetention(h.engine);
  for (const m of [email, reminder]) {
    const r = await row(orgId, m.id);
    for (const column of ['template_enc', 'rfc_message_id_enc', ...MESSAGE_CONTENT_COLUMNS]) assert.equal(r[column], null, `${m.channel} ${column}`);
    assert.ok(r.content_purged_at);
  }
  // Every sealed column of a message is content (or it would outlive retention and erasure).
  const sealed = await h.engine.tenant(orgId, (tx) => tx.trx('information_schema.columns').where({ table_name: 'messages' }).whereLike('column_name', '%\\_enc').pluck('column_name'));
  assert.deepEqual([...sealed].sort(), [...MESSAGE_CONTENT_COLUMNS].sort());
  assert.equal((await h.call(apiKey, 'GET', `/v1/messages/${email.id}`)).body.body, null);
});

test('AI enrichments quote content: those of purged messages and their conversations go, in the table and the feed', async () => {
  const { orgId, apiKey } = await org({ default: { days: 30 } });
  const old = await inbound(orgId, { channel: 'chat', ageDays: 40, body: 'Water is pouring through my ceiling in 4B, call Jane Tenant' });
  const enriched = await h.call(apiKey, 'POST', `/v1/conversations/${old.conversationId}/enrich`, { tasks: ['summary', 'entities'] });
  assert.equal(enriched.status, 200, JSON.stringify(enriched.body));
  assert.match(JSON.stringify(enriched.body), /ceiling|Jane/i, 'the enrichment quotes the message');
  // The message's own enrichment (what the AI worker stores for an inbound message).
  const own = await enrich(h.engine, orgId, { conversationId: old.conversationId, messageId: old.id, tasks: ['intent', 'entities'] });
  assert.deepEqual([own.record.subjectType, own.record.result.entities?.[0]?.text], ['message', '4B']);

  await runRetention(h.engine);
  assert.equal((await h.engine.tenant(orgId, (tx) => tx.trx('ai_enrichments').where({ subject_id: old.id }))).length, 0, 'the message enrichment is gone');
  assert.equal(await purged(orgId, old.id), true);
  assert.equal((await h.call(apiKey, 'GET', `/v1/conversations/${old.conversationId}/enrichment`)).status, 404);
  const left = await h.engine.tenant(orgId, (tx) => tx.trx('ai_enrichments').where({ conversation_id: old.conversationId }));
  assert.equal(left.length, 0);
  const events = await syncEvents(apiKey);
  const event = events.find((e) => e.type === 'conversation.enriched' && e.subjectId === old.conversationId)!;
  assert.equal(event.data.enrichment, null);
  assert.equal(events.find((e) => e.type === 'message.enriched' && e.subjectId === old.id)!.data.enrichment, null);
  assert.doesNotMatch(JSON.stringify(events), /ceiling|Jane/);
});

test('the purge is idempotent, and two concurrent runs purge each message exactly once', async () => {
  const { orgId, apiKey } = await org({ default: { days: 1 } });
  const ids: string[] = [];
  for (let i = 0; i < 12; i++) ids.push((await inbound(orgId, { channel: 'chat', ageDays: 2 + i })).id);
  const [a, b] = await Promise.all([runRetention(h.engine, { batchSize: 5 }), runRetention(h.engine, { batchSize: 5 })]);
  assert.equal(a.failed + b.failed, 0);
  for (const id of ids) assert.equal(await purged(orgId, id), true);
  assert.equal(await purgedCount(orgId), 12);

  const before = await syncEvents(apiKey);
  const stamps = await h.engine.tenant(orgId, (tx) => tx.trx('messages').whereIn('id', ids).orderBy('id').pluck('content_purged_at'));
  await runRetention(h.engine, { batchSize: 5 });
  assert.equal(await purgedCount(orgId), 12, 'nothing purged (or audited) twice');
  assert.deepEqual(await syncEvents(apiKey), before);
  assert.deepEqual(await h.engine.tenant(orgId, (tx) => tx.trx('messages').whereIn('id', ids).orderBy('id').pluck('content_purged_at')), stamps);
});

test('a legal hold on a conversation or on a contact suspends the purge until released', async () => {
  const { orgId, apiKey } = await org({ default: { days: 30 } });
  const heldConv = await inbound(orgId, { channel: 'chat', ageDays: 60 });
  const free = await inbound(orgId, { channel: 'chat', ageDays: 60 });
  // A held contact: their old conversations on two channels.
  const person = await h.call(apiKey, 'POST', '/v1/contacts', { handles: [{ kind: 'app_user', value: 'held-person' }, { kind: 'phone', value: '+14155558888' }] });
  const viaChat = await inbound(orgId, { channel: 'chat', ageDays: 60, from: { contactId: person.body.id } });
  const viaSms = await inbound(orgId, { channel: 'sms', ageDays: 90, from: { contactId: person.body.id } });

  const h1 = await h.call(apiKey, 'POST', '/v1/legal-holds', { targetType: 'conversation', targetId: heldConv.conversationId, reason: 'Case 24-118' });
  const h2 = await h.call(apiKey, 'POST', '/v1/legal-holds', { targetType: 'contact', targetId: person.body.id, reason: 'Litigation' });
  assert.equal(h1.status, 201);
  assert.equal(h2.status, 201);
  await runRetention(h.engine);
  assert.equal(await purged(orgId, free.id), true);
  for (const m of [heldConv, viaChat, viaSms]) assert.equal(await purged(orgId, m.id), false, `${m.channel} held`);
  assert.equal(createdEvent(await syncEvents(apiKey), viaSms.id).data.message.body, viaSms.body);

  assert.equal((await h.call(apiKey, 'DELETE', `/v1/legal-holds/${h1.body.id}`)).status, 200);
  await runRetention(h.engine);
  assert.equal(await purged(orgId, heldConv.id), true, 'released conversation purged at the next run');
  assert.equal(await purged(orgId, viaChat.id), false, 'the contact hold still stands');
  await h.call(apiKey, 'DELETE', `/v1/legal-holds/${h2.body.id}`);
  await runRetention(h.engine);
  assert.equal(await purged(orgId, viaChat.id), true);
  assert.equal(await purged(orgId, viaSms.id), true);
});

test('raw_inbound archive rows past the window are deleted once their messages are purged; held or recent ones stay', async () => {
  const { orgId, apiKey } = await org({ default: { days: 30 } });
  const old = await inbound(orgId, { channel: 'chat', ageDays: 45 });
  const held = await inbound(orgId, { channel: 'chat', ageDays: 45 });
  await h.call(apiKey, 'POST', '/v1/legal-holds', { targetType: 'conversation', targetId: held.conversationId, reason: 'Audit' });
  const archived = await h.engine.tenant(orgId, async (tx) => {
    const connectionId = uuidv7();
    await tx.trx('connections').insert({ id: connectionId, org_id: tx.orgId, connector_id: 'twilio', connector_version: '1.1.0', name: 'SMS' });
    const archive = async (ageDays: number, messageIds: string[]) => {
      const id = await archiveRequest(tx, connectionId, { method: 'POST', url: '/v1/receive/x', headers: {}, body: Buffer.from('Body=secret') });
      await settleArchived(tx, id, { status: messageIds.length ? 'processed' : 'failed', messageIds });
      await tx.trx('raw_inbound').where({ id }).update({ received_at: new Date(Date.now() - ageDays * DAY) }).returning('id');
      return id;
    };
    return { ofPurged: await archive(45, [old.id]), ofHeld: await archive(45, [held.id]), unlinkedOld: await archive(40, []), recent: await archive(5, []) };
  });
  await runRetention(h.engine);
  const left = await h.engine.tenant(orgId, (tx) => tx.trx('raw_inbound').pluck('id'));
  assert.deepEqual(new Set(left), new Set([archived.ofHeld, archived.recent]));
});

test('with no retention configured (the default) nothing is ever purged', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const m = await inbound(orgId, { channel: 'sms', ageDays: 5000 });
  const settings = (await h.call(apiKey, 'GET', '/v1/org')).body.settings;
  assert.deepEqual(settings.retention, { default: { days: null }, rawInbound: { days: 30 } });
  await runRetention(h.engine);
  assert.equal(await purged(orgId, m.id), false);
  const bad = await h.call(apiKey, 'PATCH', '/v1/org', { settings: { retention: { default: { days: 0 } } } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.details[0].field, '/settings/retention/default/days');
});

test('the scheduled job purges on its interval (RETENTION_INTERVAL_MS) and stops cleanly', async () => {
  assert.equal(loadConfig(testEnv({ RETENTION_INTERVAL_MS: '5000' })).retentionIntervalMs, 5000);
  assert.equal(loadConfig(testEnv()).retentionIntervalMs, 3_600_000);
  assert.throws(() => loadConfig(testEnv({ RETENTION_INTERVAL_MS: 'soon' })), /RETENTION_INTERVAL_MS/);
  const { orgId } = await org({ default: { days: 7 } });
  const m = await inbound(orgId, { channel: 'chat', ageDays: 8 });
  const job = startRetentionJob(h.engine, { intervalMs: 50 });
  try {
    const deadline = Date.now() + 10_000;
    while (!(await purged(orgId, m.id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await purged(orgId, m.id), true);
  } finally {
    await job.stop();
  }
});
