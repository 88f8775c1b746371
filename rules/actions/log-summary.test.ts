import { test, beforeAll } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import nock from 'nock';
import type { Harness } from '../../test/harness.ts';
import { usePipeline } from '../../test/pipeline.ts';
import { CUSTOMER, OUR_NUMBER, postTwilio, twilioConnection } from '../../test/connections.ts';
import { runRulesForEvent } from '../runner.ts';
import { reply } from '../../test/nock-reply.ts';

const HUBSPOT = 'https://api.hubapi.com';
const PIPEDRIVE = 'https://api.pipedrive.com';
const CARD = '4111 1111 1111 1111';
const pipedriveFixture = (name: string) => JSON.parse(readFileSync(new URL(`../../connectors/pipedrive/fixtures/${name}`, import.meta.url), 'utf8'));
const hubspotFixture = (name: string) => JSON.parse(readFileSync(new URL(`../../connectors/hubspot/fixtures/${name}`, import.meta.url), 'utf8'));
const found = { total: 1, results: [{ id: '51', properties: { firstname: 'Jane', lastname: 'Tenant', phone: CUSTOMER }, createdAt: '2026-10-02T14:11:09Z', updatedAt: '2026-10-02T14:11:09Z', archived: false }] };

const pipeline = usePipeline({ workers: false });
let h: Harness;
beforeAll(async () => {
  h = await pipeline.ready;
});

let sid = 0;
async function inbound(inboundUrl: string, orgId: string, body: string) {
  const messageSid = 'SM' + String(++sid).padStart(32, '0');
  assert.equal((await postTwilio(inboundUrl, { MessageSid: messageSid, AccountSid: 'AC3f5e0c7a9b2d4e6f8a1b3c5d7e9f1a2b', From: CUSTOMER, To: OUR_NUMBER, Body: body, NumMedia: '0' })).status, 200);
  const message = await h.engine.tenant(orgId, (tx) => tx.trx('messages').where({ provider_message_id: messageSid }).first());
  const event = await h.engine.tenant(orgId, (tx) => tx.trx('events').where({ type: 'message.created' }).orderBy('seq', 'desc').first());
  return { conversationId: message.conversation_id as string, eventId: event.id as string };
}

test('log_to_crm {summary: true, messages: false} → one HubSpot Note on the contact, safe-mode redacted; a replay logs nothing; a new message → a new note', async () => {
  const { orgId, apiKey } = await h.newOrg();
  assert.equal((await h.call(apiKey, 'PATCH', '/v1/org', { settings: { safeMode: { enabled: true, apply: 'before_egress' } } })).status, 200);
  const twilio = await twilioConnection(h, apiKey);
  assert.equal((await h.call(apiKey, 'POST', '/v1/connections', { connector: 'hubspot', name: 'HubSpot', secrets: { accessToken: 'pat-na1-notes' } })).status, 201);
  const rule = await h.call(apiKey, 'POST', '/v1/rules', { name: 'Summary to HubSpot', trigger: 'message.received', actions: [{ type: 'log_to_crm', connector: 'hubspot', messages: false, summary: true }] });
  assert.equal(rule.status, 201, JSON.stringify(rule.body));

  const first = await inbound(twilio.inboundUrl, orgId, `Sink in 4B leaks, paid card ${CARD}!`);
  const notes: any[] = [];
  const scope = nock(HUBSPOT)
    .post('/crm/v3/objects/contacts/search').once().reply(...reply(200, found))
    .post('/crm/v3/objects/notes', (b) => (notes.push(b), true)).matchHeader('authorization', 'Bearer pat-na1-notes').once()
    .reply(...reply(201, hubspotFixture('note-create.json')));
  await runRulesForEvent(h.engine, orgId, first.eventId);
  assert.ok(scope.isDone(), `pending: ${scope.pendingMocks()}`);
  assert.equal(notes.length, 1);
  // No communications were logged (messages: false): only the note went out.
  assert.equal((await h.engine.tenant(orgId, (tx) => tx.trx('crm_logged_messages'))).length, 0);
  // The stored summary holds the card (safe mode before_egress keeps text as written) …
  const enrichment = await h.call(apiKey, 'GET', `/v1/conversations/${first.conversationId}/enrichment`);
  assert.equal(enrichment.status, 200, JSON.stringify(enrichment.body));
  assert.match(enrichment.body.summary, /4111 1111 1111 1111/);
  // … and the note HubSpot received does not.
  const body = notes[0].properties.hs_note_body as string;
  assert.match(body, /4B/);
  assert.match(body, /\[redacted card ••••1111\]/);
  assert.doesNotMatch(body, /4111|1111 1111/);
  assert.match(notes[0].properties.hs_timestamp, /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual(notes[0].associations, [{ to: { id: '51' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 202 }] }]);
  const ex = (await h.call(apiKey, 'GET', `/v1/rules/${rule.body.id}/executions`)).body.data as any[];
  assert.deepEqual(ex.map((e) => e.actions.map((a: any) => [a.type, a.status])), [[['log_to_crm', 'done']]]);

  // Replayed twice: nothing is mocked any more, so a second note would fail the execution.
  await runRulesForEvent(h.engine, orgId, first.eventId);
  await runRulesForEvent(h.engine, orgId, first.eventId);
  let rows = await h.engine.tenant(orgId, (tx) => tx.trx('crm_logged_notes'));
  assert.equal(rows.length, 1);
  assert.equal(rows[0].external_id, '51234');
  const after = (await h.call(apiKey, 'GET', `/v1/rules/${rule.body.id}/executions`)).body.data as any[];
  assert.ok(after.every((e) => e.actions.every((a: any) => a.status === 'done')), JSON.stringify(after.map((e) => e.actions)));

  // A new message is a new conversation version: its summary is a new note.
  const second = await inbound(twilio.inboundUrl, orgId, 'Also the kitchen ceiling is dripping now.');
  const s2 = nock(HUBSPOT).post('/crm/v3/objects/notes', (b) => (notes.push(b), true)).once().reply(...reply(201, { ...hubspotFixture('note-create.json'), id: '51235' }));
  await runRulesForEvent(h.engine, orgId, second.eventId);
  assert.ok(s2.isDone());
  rows = await h.engine.tenant(orgId, (tx) => tx.trx('crm_logged_notes').orderBy('claimed_at'));
  assert.deepEqual(rows.map((r) => r.external_id), ['51234', '51235']);
  assert.doesNotMatch(notes[1].properties.hs_note_body, /4111/);
  assert.notEqual(rows[0].version, rows[1].version);
  // Row-level security: another org's transaction sees none of these rows.
  const other = await h.newOrg();
  assert.equal((await h.engine.tenant(other.orgId, (tx) => tx.trx('crm_logged_notes'))).length, 0);
});

test('log_to_crm {summary: true} with Pipedrive: the messages as notes, then the summary as one more note on the person', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const twilio = await twilioConnection(h, apiKey);
  assert.equal((await h.call(apiKey, 'POST', '/v1/connections', { connector: 'pipedrive', name: 'Pipedrive', secrets: { apiToken: 'pd-token-notes' } })).status, 201);
  const rule = await h.call(apiKey, 'POST', '/v1/rules', { name: 'Log + summary', trigger: 'message.received', actions: [{ type: 'log_to_crm', connector: 'pipedrive', summary: true }] });
  assert.equal(rule.status, 201, JSON.stringify(rule.body));
  const { eventId } = await inbound(twilio.inboundUrl, orgId, 'Hi, can you send a quote for a new water heater at 12 Oak St?');
  const notes: any[] = [];
  const scope = nock(PIPEDRIVE)
    .get('/api/v2/persons/search').query(true).once().reply(...reply(200, pipedriveFixture('persons-search.json')))
    .post('/v1/notes', (b) => (notes.push(b), true)).times(2)
    .reply(200, () => ({ ...pipedriveFixture('note-add.json'), data: { ...pipedriveFixture('note-add.json').data, id: 4500 + notes.length } }), { 'Content-Type': 'application/json' });
  await runRulesForEvent(h.engine, orgId, eventId);
  assert.ok(scope.isDone(), `pending: ${scope.pendingMocks()}`);
  assert.equal(notes.length, 2);
  assert.match(notes[0].content, /^<b>SMS<\/b>/); // the message
  assert.match(notes[1].content, /^<b>Conversation summary<\/b><br>Customer: /); // the summary
  assert.match(notes[1].content, /water heater/);
  assert.equal(notes[1].person_id, 301);
  const rows = await h.engine.tenant(orgId, (tx) => tx.trx('crm_logged_notes'));
  assert.deepEqual(rows.map((r) => r.external_id), ['4502']);
  await runRulesForEvent(h.engine, orgId, eventId); // nothing mocked: nothing sent again
  const ex = (await h.call(apiKey, 'GET', `/v1/rules/${rule.body.id}/executions`)).body.data as any[];
  assert.ok(ex.every((e) => e.actions.every((a: any) => a.status === 'done')), JSON.stringify(ex.map((e) => e.actions)));
});

test('log_to_crm {messages: false} without summary: 400 validation_failed naming /actions/0/messages', async () => {
  const { apiKey } = await h.newOrg();
  const res = await h.call(apiKey, 'POST', '/v1/rules', { name: 'Logs nothing', trigger: 'message.received', actions: [{ type: 'log_to_crm', connector: 'hubspot', messages: false }] });
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(res.body.error.code, 'validation_failed');
  assert.deepEqual(res.body.error.details.map((d: any) => d.field), ['/actions/0/messages']);
  const ok = await h.call(apiKey, 'POST', '/v1/rules', { name: 'Summary only', trigger: 'message.received', actions: [{ type: 'log_to_crm', connector: 'hubspot', messages: false, summary: true }] });
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
});
