import { describe, it, beforeAll } from 'vitest';
import assert from 'node:assert/strict';
import nock from 'nock';
import type { Harness } from '../../test/harness.ts';
import { usePipeline } from '../../test/pipeline.ts';
import { CUSTOMER, OUR_NUMBER, postTwilio, twilioConnection } from '../../test/connections.ts';
import { linkContact } from './link.ts';
import { logConversation } from './log.ts';
import { readTokens, saveTokens } from '../connections/oauth-store.ts';
import { RetryLater } from '../queue/queue.ts';
import { reply } from '../../test/nock-reply.ts';

const API = 'https://api.hubapi.com';
const found = { total: 1, results: [{ id: '51', properties: { firstname: 'Jane', lastname: 'Tenant', phone: CUSTOMER, email: null }, createdAt: '2026-10-02T14:11:09.612Z', updatedAt: '2026-10-02T14:11:09.612Z', archived: false }] };
const created = (inputs: { objectWriteTraceId: string }[], base: number) => ({
  status: 'COMPLETE',
  results: inputs.map((input, i) => ({ id: String(base + i), objectWriteTraceId: input.objectWriteTraceId, properties: {}, createdAt: '2026-11-27T15:00:01Z', updatedAt: '2026-11-27T15:00:01Z', archived: false })),
  requestedAt: '2026-11-27T15:00:00Z', startedAt: '2026-11-27T15:00:00Z', completedAt: '2026-11-27T15:00:01Z',
});

describe('CRM: inbound SMS from an unknown number → HubSpot contact found → linked → conversation logged incrementally', () => {
  const pipeline = usePipeline({ workers: false });
  let h: Harness;
  beforeAll(async () => {
    h = await pipeline.ready;
  });

  it('links once, logs each message once, and a replay calls HubSpot no more', async () => {
    const { orgId, apiKey } = await h.newOrg();
    assert.equal((await h.call(apiKey, 'PATCH', '/v1/org', { settings: { safeMode: { enabled: true, apply: 'before_egress' } } })).status, 200);
    const twilio = await twilioConnection(h, apiKey);
    const hs = await h.call(apiKey, 'POST', '/v1/connections', { connector: 'hubspot', name: 'HubSpot', config: { portalId: '62515' }, secrets: { accessToken: 'pat-na1-e2e' } });
    assert.equal(hs.status, 201, JSON.stringify(hs.body));
    const connectionId = hs.body.id as string;

    const sms = (sid: string, body: string) => ({ MessageSid: sid, AccountSid: 'AC3f5e0c7a9b2d4e6f8a1b3c5d7e9f1a2b', From: CUSTOMER, To: OUR_NUMBER, Body: body, NumMedia: '0' });
    assert.equal((await postTwilio(twilio.inboundUrl, sms('SM00000000000000000000000000000001', 'Hi, the sink is leaking'))).status, 200);
    const first = await h.engine.tenant(orgId, (tx) => tx.trx('messages').where({ provider_message_id: 'SM00000000000000000000000000000001' }).first());
    const conversationId = first.conversation_id as string;
    const contactId = first.contact_id as string;

    // Link: found by phone through the search API.
    let search: any;
    const s1 = nock(API)
      .post('/crm/v3/objects/contacts/search', (b) => ((search = b), true))
      .matchHeader('authorization', 'Bearer pat-na1-e2e')
      .once()
      .reply(...reply(200, found));
    const linked = await linkContact(h.engine, orgId, { contactId, connectionId });
    assert.ok(s1.isDone());
    assert.equal(search.filterGroups[0].filters[0].value, CUSTOMER);
    assert.equal(linked.linked, true);
    assert.equal(linked.createdInCrm, false);
    const links = await h.engine.tenant(orgId, (tx) => tx.trx('external_links').where({ contact_id: contactId }));
    assert.equal(links.length, 1);
    assert.equal(links[0].system, 'hubspot');
    assert.equal(links[0].external_id, '51');
    assert.equal(links[0].url, 'https://app.hubspot.com/contacts/62515/record/0-1/51');
    // Idempotent: no provider call (none is mocked), same link.
    assert.equal((await linkContact(h.engine, orgId, { contactId, connectionId })).linked, false);

    // Log: the first message.
    const batches: any[] = [];
    nock(API)
      .post('/crm/v3/objects/communications/batch/create', (b) => (batches.push(b), true))
      .once()
      .reply(201, (_uri, body: any) => created(body.inputs, 9001), { 'Content-Type': 'application/json' });
    const r1 = await logConversation(h.engine, orgId, { conversationId, connectionId });
    assert.deepEqual(r1, { logged: 1, hasMore: false, recordId: '51' });
    assert.equal(batches[0].inputs.length, 1);
    assert.equal(batches[0].inputs[0].properties.hs_communication_body, `From ${CUSTOMER} (sms): Hi, the sink is leaking`);
    assert.equal(batches[0].inputs[0].properties.hs_communication_channel_type, 'SMS');
    assert.deepEqual(batches[0].inputs[0].associations[0].to, { id: '51' });

    // A second inbound message logs only itself — redacted for egress (safe mode).
    assert.equal((await postTwilio(twilio.inboundUrl, sms('SM00000000000000000000000000000002', 'My card is 4111 1111 1111 1111'))).status, 200);
    nock(API)
      .post('/crm/v3/objects/communications/batch/create', (b) => (batches.push(b), true))
      .once()
      .reply(201, (_uri, body: any) => created(body.inputs, 9002), { 'Content-Type': 'application/json' });
    const r2 = await logConversation(h.engine, orgId, { conversationId, connectionId });
    assert.equal(r2.logged, 1);
    assert.equal(batches[1].inputs.length, 1);
    const body2 = batches[1].inputs[0].properties.hs_communication_body as string;
    assert.ok(!body2.includes('4111 1111 1111 1111'), body2);
    assert.match(body2, /redacted/);

    // Replay of the same log job: nothing new, no provider call (nothing is mocked any more).
    assert.deepEqual(await logConversation(h.engine, orgId, { conversationId, connectionId }), { logged: 0, hasMore: false, recordId: '51' });
    const logged = await h.engine.tenant(orgId, (tx) => tx.trx('crm_logged_messages').where({ connection_id: connectionId }).orderBy('external_id'));
    assert.deepEqual(logged.map((l: { external_id: string }) => l.external_id), ['9001', '9002']);
    assert.equal(nock.pendingMocks().length, 0);
  });

  it('creates the CRM contact when no record matches, and logging links first when needed', async () => {
    const { orgId, apiKey } = await h.newOrg();
    const twilio = await twilioConnection(h, apiKey);
    const hs = await h.call(apiKey, 'POST', '/v1/connections', { connector: 'hubspot', name: 'HubSpot', secrets: { accessToken: 'pat-na1-e2e' } });
    const connectionId = hs.body.id as string;
    assert.equal((await postTwilio(twilio.inboundUrl, { MessageSid: 'SM00000000000000000000000000000003', AccountSid: 'AC3f5e0c7a9b2d4e6f8a1b3c5d7e9f1a2b', From: '+14155550177', To: OUR_NUMBER, Body: 'Hello', NumMedia: '0' })).status, 200);
    const msg = await h.engine.tenant(orgId, (tx) => tx.trx('messages').where({ provider_message_id: 'SM00000000000000000000000000000003' }).first());
    let createdBody: any;
    const scope = nock(API)
      .post('/crm/v3/objects/contacts/search').once().reply(...reply(200, { total: 0, results: [] }))
      .post('/crm/v3/objects/contacts', (b) => ((createdBody = b), true)).once().reply(...reply(201, { id: '87', properties: { phone: '+14155550177' }, createdAt: '2026-11-27T15:00:00Z', updatedAt: '2026-11-27T15:00:00Z', archived: false }))
      .post('/crm/v3/objects/communications/batch/create').once()
      .reply(201, (_uri, body: any) => created(body.inputs, 500), { 'Content-Type': 'application/json' });
    const r = await logConversation(h.engine, orgId, { conversationId: msg.conversation_id, connectionId });
    assert.ok(scope.isDone());
    assert.equal(createdBody.properties.phone, '+14155550177');
    assert.deepEqual(r, { logged: 1, hasMore: false, recordId: '87' });
  });

  it('two log runs for one conversation at once: one logs, the other is told to retry later; a dead holder\'s lease expires', async () => {
    const { orgId, apiKey } = await h.newOrg();
    const twilio = await twilioConnection(h, apiKey);
    const hs = await h.call(apiKey, 'POST', '/v1/connections', { connector: 'hubspot', name: 'HubSpot', secrets: { accessToken: 'pat-na1-race' } });
    const connectionId = hs.body.id as string;
    const sid = 'SM00000000000000000000000000000004';
    assert.equal((await postTwilio(twilio.inboundUrl, { MessageSid: sid, AccountSid: 'AC3f5e0c7a9b2d4e6f8a1b3c5d7e9f1a2b', From: CUSTOMER, To: OUR_NUMBER, Body: 'Is 4B still free?', NumMedia: '0' })).status, 200);
    const msg = await h.engine.tenant(orgId, (tx) => tx.trx('messages').where({ provider_message_id: sid }).first());
    const conversationId = msg.conversation_id as string;
    nock(API).post('/crm/v3/objects/contacts/search').once().reply(...reply(200, found));
    await linkContact(h.engine, orgId, { contactId: msg.contact_id, connectionId });

    // HubSpot answers slowly, so the second run starts while the first one is in the provider call.
    let calls = 0;
    nock(API)
      .post('/crm/v3/objects/communications/batch/create')
      .times(2)
      .delay(400)
      .reply(201, (_uri, body: any) => (calls++, created(body.inputs, 7000 + calls)), { 'Content-Type': 'application/json' });
    const first = logConversation(h.engine, orgId, { conversationId, connectionId });
    await new Promise((r) => setTimeout(r, 150));
    const second = await logConversation(h.engine, orgId, { conversationId, connectionId }).then(
      () => assert.fail('the second run must not log while the first one is logging'),
      (err) => err,
    );
    assert.ok(second instanceof RetryLater, String(second));
    assert.deepEqual(await first, { logged: 1, hasMore: false, recordId: '51' });
    assert.equal(calls, 1);
    // The lease is gone with the first run: the retried second run finds nothing to log.
    assert.deepEqual(await logConversation(h.engine, orgId, { conversationId, connectionId }), { logged: 0, hasMore: false, recordId: '51' });
    assert.equal(calls, 1);

    // A holder that died mid-call leaves a lease; once it has expired, the next run takes over.
    await postTwilio(twilio.inboundUrl, { MessageSid: 'SM00000000000000000000000000000005', AccountSid: 'AC3f5e0c7a9b2d4e6f8a1b3c5d7e9f1a2b', From: CUSTOMER, To: OUR_NUMBER, Body: 'Hello?', NumMedia: '0' });
    const lease = (expires: string) =>
      h.engine.tenant(orgId, (tx) =>
        tx.trx.raw(`INSERT INTO crm_log_leases (org_id, connection_id, conversation_id, holder, expires_at) VALUES (?, ?, ?, gen_random_uuid(), ${expires})
                    ON CONFLICT (connection_id, conversation_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at`, [orgId, connectionId, conversationId]),
      );
    await lease(`now() + interval '5 seconds'`);
    // Retried when the lease ends (about 5 s from now), never sooner than a second.
    await assert.rejects(logConversation(h.engine, orgId, { conversationId, connectionId }), (err) => err instanceof RetryLater && err.delayMs >= 1_000 && err.delayMs <= 5_000);
    await lease(`now() + interval '10 minutes'`);
    await assert.rejects(logConversation(h.engine, orgId, { conversationId, connectionId }), (err) => err instanceof RetryLater && err.delayMs === 15_000);
    await lease(`now() - interval '1 second'`);
    assert.equal((await logConversation(h.engine, orgId, { conversationId, connectionId })).logged, 1);
    assert.equal(calls, 2);
    assert.equal((await h.engine.tenant(orgId, (tx) => tx.trx('crm_log_leases').where({ conversation_id: conversationId }))).length, 0);
  });
});

describe('CRM over HubSpot OAuth: a 401 refreshes the token once (rotated refresh token stored) and the call is retried', () => {
  const pipeline = usePipeline({ workers: false });
  let h: Harness;
  beforeAll(async () => {
    h = await pipeline.ready;
  });

  it('links through a refreshed token', async () => {
    const { orgId, apiKey } = await h.newOrg();
    const hs = await h.call(apiKey, 'POST', '/v1/connections', { connector: 'hubspot', name: 'HubSpot app', secrets: { clientId: 'hs-client', clientSecret: 'hs-secret' } });
    assert.equal(hs.status, 201, JSON.stringify(hs.body));
    const connectionId = hs.body.id as string;
    await h.engine.tenant(orgId, (tx) => saveTokens(tx, connectionId, { accessToken: 'hs-at-old', refreshToken: 'hs-rt-1', expiresAt: Date.now() + 3600_000, scopes: [] }));
    const contact = await h.call(apiKey, 'POST', '/v1/contacts', { name: 'Jane', handles: [{ kind: 'phone', value: CUSTOMER }] });
    assert.equal(contact.status, 201, JSON.stringify(contact.body));

    let tokenForm: URLSearchParams | undefined;
    const scope = nock(API)
      .post('/crm/v3/objects/contacts/search').matchHeader('authorization', 'Bearer hs-at-old').once()
      .reply(...reply(401, { status: 'error', message: 'The OAuth token used to make this call expired 1 second(s) ago.', category: 'EXPIRED_AUTHENTICATION' }))
      .post('/oauth/v1/token', (b) => ((tokenForm = new URLSearchParams(b as unknown as string)), true)).once()
      .reply(...reply(200, { token_type: 'bearer', refresh_token: 'hs-rt-2', access_token: 'hs-at-new', expires_in: 1800 }))
      .post('/crm/v3/objects/contacts/search').matchHeader('authorization', 'Bearer hs-at-new').once()
      .reply(...reply(200, found));
    const r = await linkContact(h.engine, orgId, { contactId: contact.body.id, connectionId });
    assert.ok(scope.isDone());
    assert.equal(r.link.externalId, '51');
    // HubSpot takes the client credentials as form fields.
    assert.equal(tokenForm!.get('grant_type'), 'refresh_token');
    assert.equal(tokenForm!.get('refresh_token'), 'hs-rt-1');
    assert.equal(tokenForm!.get('client_id'), 'hs-client');
    assert.equal(tokenForm!.get('client_secret'), 'hs-secret');
    const stored = await h.engine.tenant(orgId, (tx) => readTokens(tx, connectionId));
    assert.equal(stored?.accessToken, 'hs-at-new');
    assert.equal(stored?.refreshToken, 'hs-rt-2');
  });
});
