import { describe, it, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import nock from 'nock';
import { ConnectorError, signHubSpotV3 } from '../kit/index.ts';
import { runFixture } from '../kit/harness.ts';
import hubspot from './index.ts';
import { reply } from '../../test/nock-reply.ts';

const API = 'https://api.hubapi.com';
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
const ctx = { config: { portalId: '62515' }, secrets: { accessToken: 'pat-na1-test' } };

describe('HubSpot connector', () => {
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => {
    nock.cleanAll();
    nock.enableNetConnect();
  });

  it('finds a contact by phone through the CRM search API', async () => {
    let sent: any;
    const scope = nock(API)
      .post('/crm/v3/objects/contacts/search', (b) => ((sent = b), true))
      .matchHeader('authorization', 'Bearer pat-na1-test')
      .reply(...reply(200, fixture('contacts-search.json')));
    const found = await hubspot.crm!.findContact({ phone: '+14155550123' }, ctx);
    assert.ok(scope.isDone());
    assert.deepEqual(sent.filterGroups, [
      { filters: [{ propertyName: 'phone', operator: 'EQ', value: '+14155550123' }] },
      { filters: [{ propertyName: 'mobilephone', operator: 'EQ', value: '+14155550123' }] },
    ]);
    assert.equal(found?.externalId, '51');
    assert.equal(found?.name, 'Jane Tenant');
    assert.equal(found?.url, 'https://app.hubspot.com/contacts/62515/record/0-1/51');
    assert.deepEqual(found?.data, { lifecycleStage: 'customer' });
  });

  it('answers null when nobody matches, and creates a contact', async () => {
    nock(API).post('/crm/v3/objects/contacts/search').reply(...reply(200, fixture('contacts-search-empty.json')));
    assert.equal(await hubspot.crm!.findContact({ email: 'nobody@example.com' }, ctx), null);
    let sent: any;
    nock(API).post('/crm/v3/objects/contacts', (b) => ((sent = b), true)).reply(...reply(201, fixture('contact-create.json')));
    const created = await hubspot.crm!.createContact!({ name: 'Sam Lee Park', phone: '+14155550177' }, ctx);
    assert.deepEqual(sent.properties, { firstname: 'Sam', lastname: 'Lee Park', phone: '+14155550177' });
    assert.equal(created.externalId, '87');
  });

  it('logs SMS as communications and email as email engagements, in batches', async () => {
    const entries = [
      { messageId: 'm-1', conversationId: 'c-1', direction: 'inbound' as const, channel: 'sms', body: 'Sink is leaking', at: '2026-11-27T15:00:00.000Z', theirs: '+14155550123' },
      { messageId: 'm-2', conversationId: 'c-1', direction: 'outbound' as const, channel: 'email', body: 'A plumber comes at 3', subject: 'Your repair', at: '2026-11-27T15:05:00.000Z' },
    ];
    let comms: any;
    let emails: any;
    nock(API)
      .post('/crm/v3/objects/communications/batch/create', (b) => ((comms = b), true))
      .reply(...reply(201, { ...fixture('communications-batch-create.json'), results: [{ ...fixture('communications-batch-create.json').results[0], objectWriteTraceId: 'm-1' }] }))
      .post('/crm/v3/objects/emails/batch/create', (b) => ((emails = b), true))
      .reply(...reply(201, { status: 'COMPLETE', results: [{ id: '7001', properties: {}, createdAt: '2026-11-27T15:05:01Z', updatedAt: '2026-11-27T15:05:01Z', archived: false }] }));
    const out = await hubspot.crm!.logMessages!({ record: { externalId: '51' }, entries }, ctx);
    assert.deepEqual(out.logged, [{ messageId: 'm-1', externalId: '9001' }, { messageId: 'm-2', externalId: '7001' }]);
    assert.equal(comms.inputs.length, 1);
    assert.equal(comms.inputs[0].objectWriteTraceId, 'm-1');
    assert.deepEqual(comms.inputs[0].properties, {
      hs_communication_channel_type: 'SMS',
      hs_communication_logged_from: 'CRM',
      hs_communication_body: 'From +14155550123 (sms): Sink is leaking',
      hs_timestamp: '2026-11-27T15:00:00.000Z',
    });
    assert.deepEqual(comms.inputs[0].associations, [{ to: { id: '51' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 81 }] }]);
    assert.equal(emails.inputs[0].properties.hs_email_direction, 'EMAIL');
    assert.equal(emails.inputs[0].properties.hs_email_subject, 'Your repair');
    assert.equal(emails.inputs[0].associations[0].types[0].associationTypeId, 198);
  });

  it('logs a conversation summary as a Note associated with the contact (POST /crm/v3/objects/notes, type 202)', async () => {
    let sent: any;
    nock(API).post('/crm/v3/objects/notes', (b) => ((sent = b), true)).reply(...reply(201, fixture('note-create.json')));
    const out = await hubspot.crm!.logNote!({ record: { externalId: '51' }, note: { conversationId: 'c-1', key: 'm-9', text: 'Customer: Sink in 4B is leaking.', at: '2026-12-06T01:50:00.000Z' } }, ctx);
    assert.deepEqual(out, { externalId: '51234' });
    assert.deepEqual(sent.properties, { hs_timestamp: '2026-12-06T01:50:00.000Z', hs_note_body: 'Customer: Sink in 4B is leaking.' });
    assert.deepEqual(sent.associations, [{ to: { id: '51' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 202 }] }]);
    nock(API).post('/crm/v3/objects/notes').reply(...reply(401, { status: 'error', message: 'Authentication credentials not found.', category: 'INVALID_AUTHENTICATION' }));
    await assert.rejects(hubspot.crm!.logNote!({ record: { externalId: '51' }, note: { conversationId: 'c-1', key: 'm-9', text: 'x', at: '2026-12-06T01:50:00.000Z' } }, ctx), (err: unknown) => ConnectorError.is(err) && err.code === 'auth_failed');
  });

  it('maps 429 to rate_limited with the rate-limit window, and 401 to auth_failed', async () => {
    nock(API).post('/crm/v3/objects/contacts/search').reply(...reply(429, fixture('rate-limited.json'), { 'X-HubSpot-RateLimit-Interval-Milliseconds': '10000', 'X-HubSpot-RateLimit-Remaining': '0' }));
    await assert.rejects(hubspot.crm!.findContact({ phone: '+14155550123' }, ctx), (err: unknown) =>
      ConnectorError.is(err) && err.code === 'rate_limited' && err.retryAfterMs === 10_000 && err.retryable);
    nock(API).post('/crm/v3/objects/contacts/search').reply(...reply(429, fixture('rate-limited.json'), { 'Retry-After': '3' }));
    await assert.rejects(hubspot.crm!.findContact({ phone: '+14155550123' }, ctx), (err: unknown) => ConnectorError.is(err) && err.retryAfterMs === 3000);
    nock(API).post('/crm/v3/objects/contacts/search').reply(...reply(401, { status: 'error', message: 'Authentication credentials not found.', category: 'INVALID_AUTHENTICATION' }));
    await assert.rejects(hubspot.crm!.findContact({ phone: '+14155550123' }, ctx), (err: unknown) => ConnectorError.is(err) && err.code === 'auth_failed' && err.httpStatus === 401);
  });

  describe('webhooks (X-HubSpot-Signature-v3)', () => {
    const secrets = { clientId: 'hubspot-app-id', clientSecret: 'hubspot-app-secret' };
    const url = 'https://sb.example.com/v1/receive/0193a1b2-0000-7000-8000-000000000001';
    const now = 1795272005000;
    const hook = { name: 'contact events', request: { method: 'POST', url, body: fixture('webhook-contact-property-change.json') } };

    it('accepts a good signature and maps each event', async () => {
      const r = await runFixture(hubspot, hook, { config: {}, secrets, now: () => now });
      assert.deepEqual(r.verification, { ok: true });
      assert.equal(r.events.length, 2);
      assert.deepEqual(r.events[0], {
        kind: 'external_event',
        type: 'contact.property_change',
        externalId: '1841230051',
        occurredAt: new Date(1795272000000).toISOString(),
        data: { subscriptionType: 'contact.propertyChange', objectId: '51', portalId: '62515', subscriptionId: '2181742', propertyName: 'lifecyclestage', propertyValue: 'customer', changeSource: 'CRM_UI', attemptNumber: 0 },
      });
      assert.equal((r.events[1] as { type: string }).type, 'contact.creation');
      // Signed the way HubSpot documents it, independently of sign().
      const body = JSON.stringify(hook.request.body);
      assert.equal(r.request.headers['x-hubspot-signature-v3'], signHubSpotV3('hubspot-app-secret', 'POST', url, body, now));
    });

    it('refuses a stale timestamp (> 5 minutes)', async () => {
      const r = await runFixture(hubspot, hook, {
        config: {}, secrets, now: () => now,
        mutate: (req) => ({ ...req, headers: { ...req.headers, 'x-hubspot-request-timestamp': String(now - 6 * 60_000), 'x-hubspot-signature-v3': signHubSpotV3('hubspot-app-secret', 'POST', url, req.body, now - 6 * 60_000) } }),
      });
      assert.deepEqual(r.verification, { ok: false, reason: 'stale' });
    });

    it('refuses a tampered body', async () => {
      const r = await runFixture(hubspot, hook, { config: {}, secrets, now: () => now, mutate: (req) => ({ ...req, body: Buffer.from(req.body.toString().replace('customer', 'lead')) }) });
      assert.deepEqual(r.verification, { ok: false, reason: 'bad_signature' });
    });
  });
});
