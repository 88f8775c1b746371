import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';
import { ingestInbound } from '../messages/ingest.ts';
import { orgSettings } from '../org-settings.ts';
import { redactForEgress } from './redaction.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const CARD = '4111 1111 1111 1111';
const BODY = `Please charge ${CARD}, my SSN is 212-34-5678. Order 1234-5678-9012.`;
const REDACTED = 'Please charge [redacted card ••••1111], my SSN is [redacted ssn]. Order 1234-5678-9012.';

async function setup(safeMode: unknown) {
  const org = await h.newOrg();
  if (safeMode) {
    const res = await h.call(org.apiKey, 'PATCH', '/v1/org', { settings: { safeMode } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
  const contact = await h.call(org.apiKey, 'POST', '/v1/contacts', { handles: [{ kind: 'app_user', value: 'tenant-4b' }] });
  return { ...org, contactId: contact.body.id as string };
}

/** The stored row, decrypted with the org key: what the database really holds. */
async function stored(orgId: string, id: string) {
  return h.engine.tenant(orgId, async (tx) => {
    const r = await tx.trx('messages').where({ id }).first();
    return { body: tx.crypto.decrypt(id, 'body', r.body_enc), subject: tx.crypto.decrypt(id, 'subject', r.subject_enc), metadata: r.metadata };
  });
}

test('before_storage: POST /v1/messages (inbound and outbound) stores and returns redacted text; the card never reaches the database', async () => {
  const { orgId, apiKey, contactId } = await setup({ enabled: true });
  const settings = (await h.call(apiKey, 'GET', '/v1/org')).body.settings.safeMode;
  assert.deepEqual(settings, { enabled: true, apply: 'before_storage' });

  const inbound = await h.call(apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { contactId }, body: BODY, metadata: { unit: '4B' } });
  assert.equal(inbound.status, 201, JSON.stringify(inbound.body));
  assert.equal(inbound.body.body, REDACTED);
  assert.deepEqual(inbound.body.metadata, { unit: '4B', redactions: [{ type: 'card', count: 1 }, { type: 'ssn', count: 1 }] });
  const outbound = await h.call(apiKey, 'POST', '/v1/messages', { channel: 'chat', to: { contactId }, body: `Received card ${CARD}` });
  assert.equal(outbound.status, 201, JSON.stringify(outbound.body));
  assert.equal(outbound.body.body, 'Received card [redacted card ••••1111]');

  for (const m of [inbound.body, outbound.body]) {
    const row = await stored(orgId, m.id);
    assert.equal(row.body, m.body);
    assert.ok(!row.body!.includes('4111') && !row.body!.includes('1111 1111'));
    assert.deepEqual((await h.call(apiKey, 'GET', `/v1/messages/${m.id}`)).body.body, m.body);
  }
  const events = (await h.call(apiKey, 'GET', '/v1/sync')).body.events;
  const bodies = events.filter((e: any) => e.type === 'message.created').map((e: any) => e.data.message.body);
  assert.deepEqual(bodies, [REDACTED, 'Received card [redacted card ••••1111]']);
  // The card number, not the digits '4111' (an id or a timestamp in the events may hold those by chance).
  assert.doesNotMatch(JSON.stringify(events), /4111[ -]?1111/);
});

test('before_storage redacts the subject of the message and of the new conversation; org patterns apply', async () => {
  const { orgId, apiKey } = await setup({ enabled: true, patterns: [{ name: 'case_ref', regex: 'CASE-\\d{5}', replacement: '[case]' }] });
  const { message, conversation } = await h.engine.tenant(orgId, (tx) =>
    ingestInbound(tx, {
      channel: 'email',
      from: { handle: { kind: 'email', value: 'tenant@example.test' } },
      to: { address: 'support@acme.test' },
      subject: 'Account number 12345678901 for CASE-00042',
      body: 'Routing 021000021, see CASE-00042',
    }),
  );
  assert.equal(message.subject, 'Account number [redacted account number] for [case]');
  assert.equal(message.body, 'Routing [redacted routing number], see [case]');
  assert.deepEqual(message.metadata.redactions, [{ type: 'routing_number', count: 1 }, { type: 'case_ref', count: 2 }, { type: 'account_number', count: 1 }]);
  assert.equal(conversation.subject, message.subject);
  assert.equal((await h.call(apiKey, 'GET', `/v1/conversations/${conversation.id}`)).body.subject, message.subject);
  const raw = await h.engine.tenant(orgId, async (tx) => {
    const c = await tx.trx('conversations').where({ id: conversation.id }).first();
    return tx.crypto.decrypt(c.id, 'subject', c.subject_enc);
  });
  assert.equal(raw, message.subject);
  assert.equal((await stored(orgId, message.id)).subject, message.subject);
});

test('before_egress stores the text as written and redactForEgress cleans it on the way out; safe mode off changes nothing', async () => {
  const egress = await setup({ enabled: true, apply: 'before_egress' });
  const posted = await h.call(egress.apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { contactId: egress.contactId }, body: BODY });
  assert.equal(posted.body.body, BODY);
  assert.deepEqual(posted.body.metadata, {});
  assert.equal((await stored(egress.orgId, posted.body.id)).body, BODY);
  const settings = await h.engine.tenant(egress.orgId, (tx) => orgSettings(tx.trx, tx.orgId));
  assert.equal(redactForEgress(posted.body.body, settings.safeMode), REDACTED);

  const off = await setup(null);
  const plain = await h.call(off.apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { contactId: off.contactId }, body: BODY });
  assert.equal(plain.body.body, BODY);
  const offSettings = await h.engine.tenant(off.orgId, (tx) => orgSettings(tx.trx, tx.orgId));
  assert.deepEqual(offSettings.safeMode, { enabled: false, apply: 'before_storage' });
  assert.equal(redactForEgress(BODY, offSettings.safeMode), BODY);
});

test('unsafe or invalid org patterns are refused with the field at fault', async () => {
  const { apiKey } = await setup(null);
  for (const [regex, reason] of [
    ['(a+)+$', /nests quantifiers/],
    ['(', /not a valid regular expression/],
    ['\\d*', /empty string/],
    ['x'.repeat(201), /at most 200/],
  ] as const) {
    const res = await h.call(apiKey, 'PATCH', '/v1/org', { settings: { safeMode: { enabled: true, patterns: [{ name: 'p', regex }] } } });
    assert.equal(res.status, 400, regex);
    assert.equal(res.body.error.details[0].field, '/settings/safeMode/patterns/0/regex');
    assert.match(res.body.error.details[0].reason, reason);
  }
  const builtinName = await h.call(apiKey, 'PATCH', '/v1/org', { settings: { safeMode: { enabled: true, patterns: [{ name: 'card', regex: 'x' }] } } });
  assert.equal(builtinName.status, 400);
  assert.equal((await h.call(apiKey, 'GET', '/v1/org')).body.settings.safeMode.enabled, false);
});
