import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import nock from 'nock';
import { usePipeline } from '../../test/pipeline.ts';
import { reply } from '../../test/nock-reply.ts';
import { ACCOUNT_SID, AUTH_TOKEN, CUSTOMER, syncEvents, twilioConnection } from '../../test/connections.ts';
import type { Harness } from '../../test/harness.ts';

/**
 * Provisioning a Twilio connection through the API, with Twilio's HTTP answered by nock in its
 * documented shapes (IncomingPhoneNumbers / AvailablePhoneNumbers on api.twilio.com, Messaging
 * Services and A2P 10DLC on messaging.twilio.com) and assertions on what Twilio received.
 */
const pipeline = usePipeline({ workers: false });
const API = 'https://api.twilio.com';
const MESSAGING = 'https://messaging.twilio.com';
const ACCOUNT = `/2010-04-01/Accounts/${ACCOUNT_SID}`;
const BOUGHT = '+14155550142';
const PN = 'PN2a0747eba6abf96b7e3c3ff0b4530f6e';
const MG = 'MG2172dd2db502e20dd981ef0d67850e1a';
const BN = 'BN0044409f7e067e279523808d267e2d85';
const ELSEWHERE = 'https://old-app.example.com/sms';

/** Twilio's IncomingPhoneNumber resource (JSON as the API returns it). */
const incomingNumber = (o: { smsUrl?: string; statusCallback?: string; smsMethod?: string } = {}) => ({
  account_sid: ACCOUNT_SID,
  address_requirements: 'none',
  api_version: '2010-04-01',
  beta: false,
  capabilities: { voice: true, sms: true, mms: true, fax: false },
  date_created: 'Thu, 03 Dec 2026 10:30:00 +0000',
  date_updated: 'Thu, 03 Dec 2026 10:30:00 +0000',
  friendly_name: '(415) 555-0142',
  origin: 'twilio',
  phone_number: BOUGHT,
  sid: PN,
  sms_application_sid: '',
  sms_fallback_method: 'POST',
  sms_fallback_url: '',
  sms_method: o.smsMethod ?? 'POST',
  sms_url: o.smsUrl ?? '',
  status_callback: o.statusCallback ?? '',
  status_callback_method: 'POST',
  status: 'in-use',
  uri: `${ACCOUNT}/IncomingPhoneNumbers/${PN}.json`,
  voice_method: 'POST',
  voice_url: '',
});

const numberList = (n: object[]) => ({
  end: n.length - 1,
  first_page_uri: `${ACCOUNT}/IncomingPhoneNumbers.json?PageSize=50&Page=0`,
  incoming_phone_numbers: n,
  next_page_uri: null,
  page: 0,
  page_size: 50,
  previous_page_uri: null,
  start: 0,
  uri: `${ACCOUNT}/IncomingPhoneNumbers.json?PageSize=50&Page=0`,
});

/** A messaging.twilio.com v1 list page: the records under meta.key. */
const v1Page = (key: string, url: string, records: object[]) => ({
  [key]: records,
  meta: { page: 0, page_size: 50, first_page_url: `${url}?PageSize=50&Page=0`, previous_page_url: null, url: `${url}?PageSize=50&Page=0`, next_page_url: null, key },
});

function mockAccount() {
  nock(API).get(`${ACCOUNT}.json`).reply(...reply(200, { sid: ACCOUNT_SID, status: 'active', friendly_name: 'Acme', type: 'Full' }));
}

function mockCampaign(status: string) {
  nock(MESSAGING).get('/v1/a2p/BrandRegistrations').query(true).reply(...reply(200, v1Page('data', `${MESSAGING}/v1/a2p/BrandRegistrations`, [
    { sid: BN, account_sid: ACCOUNT_SID, status: 'APPROVED', brand_type: 'STANDARD', tcr_id: 'BXXXXXX', failure_reason: null, date_created: '2026-11-01T10:00:00Z', date_updated: '2026-11-02T10:00:00Z' },
  ])));
  nock(MESSAGING).get('/v1/Services').query(true).reply(...reply(200, v1Page('services', `${MESSAGING}/v1/Services`, [
    { sid: MG, account_sid: ACCOUNT_SID, friendly_name: 'Acme notifications', inbound_request_url: null, status_callback: null, use_inbound_webhook_on_number: true, us_app_to_person_registered: status === 'VERIFIED' },
  ])));
  nock(MESSAGING).get(`/v1/Services/${MG}/Compliance/Usa2p`).query(true).reply(...reply(200, v1Page('compliance', `${MESSAGING}/v1/Services/${MG}/Compliance/Usa2p`, [
    {
      sid: 'QE2c6890da8086d771620e9b13fadeba0b',
      account_sid: ACCOUNT_SID,
      brand_registration_sid: BN,
      messaging_service_sid: MG,
      description: 'Appointment reminders and technician arrival notices',
      us_app_to_person_usecase: 'CUSTOMER_CARE',
      campaign_status: status,
      campaign_id: 'CFOOBAR',
      is_externally_registered: false,
      rate_limits: {},
      message_flow: 'Customers opt in when booking',
      date_created: '2026-11-03T10:00:00Z',
      date_updated: '2026-11-04T10:00:00Z',
      mock: false,
      errors: [],
    },
  ])));
  nock(MESSAGING).get(`/v1/Services/${MG}/PhoneNumbers`).query(true).reply(...reply(200, v1Page('phone_numbers', `${MESSAGING}/v1/Services/${MG}/PhoneNumbers`, [
    { sid: PN, account_sid: ACCOUNT_SID, service_sid: MG, phone_number: BOUGHT, country_code: 'US', capabilities: ['SMS', 'MMS'], date_created: '2026-11-03T10:00:00Z', date_updated: '2026-11-03T10:00:00Z' },
  ])));
}

const send = (h: Harness, apiKey: string, _connectionId: string) =>
  h.call(apiKey, 'POST', '/v1/send', { channel: 'sms', to: { handle: { kind: 'phone', value: CUSTOMER } }, from: { address: BOUGHT }, body: 'Your technician is on the way' });

describe('Twilio provisioning through the API', () => {
  it('search → buy (pointed at us) → re-pointed elsewhere is reported → fix re-points it; 10DLC status drives the preflight', async () => {
    const h = await pipeline.ready;
    const { apiKey } = await h.newOrg();
    const conn = await twilioConnection(h, apiKey, { config: { fromNumbers: undefined } });
    const ops = await h.call(apiKey, 'GET', `/v1/connections/${conn.id}/provisioning`);
    assert.deepEqual(ops.body.operations, ['searchNumbers', 'buyNumber', 'listNumbers', 'releaseNumber', 'wiring', 'registrations']);

    // Search: AvailablePhoneNumbers/US/Local with the area code and capabilities as Twilio's query parameters.
    let searched: Record<string, string> = {};
    nock(API)
      .get(`${ACCOUNT}/AvailablePhoneNumbers/US/Local.json`)
      .query((q) => ((searched = { ...q } as Record<string, string>), true))
      .basicAuth({ user: ACCOUNT_SID, pass: AUTH_TOKEN })
      .reply(...reply(200, {
        available_phone_numbers: [
          { friendly_name: '(415) 555-0142', phone_number: BOUGHT, lata: '722', locality: 'San Francisco', rate_center: 'SNFC CNTRL', latitude: '37.77', longitude: '-122.41', region: 'CA', postal_code: '94103', iso_country: 'US', address_requirements: 'none', beta: false, capabilities: { voice: true, SMS: true, MMS: true, sms: true, mms: true } },
        ],
        end: 1,
        first_page_uri: `${ACCOUNT}/AvailablePhoneNumbers/US/Local.json?AreaCode=415&PageSize=20&Page=0`,
        next_page_uri: null,
        page: 0,
        page_size: 20,
        previous_page_uri: null,
        start: 0,
        uri: `${ACCOUNT}/AvailablePhoneNumbers/US/Local.json?AreaCode=415&PageSize=20&Page=0`,
      }));
    const found = await h.call(apiKey, 'GET', `/v1/connections/${conn.id}/numbers/available?areaCode=415&sms=true&mms=true&limit=5`);
    assert.equal(found.status, 200, JSON.stringify(found.body));
    assert.deepEqual(searched, { AreaCode: '415', SmsEnabled: 'true', MmsEnabled: 'true', PageSize: '5' });
    assert.deepEqual(found.body.data.map((n: { phoneNumber: string; locality: string }) => [n.phoneNumber, n.locality]), [[BOUGHT, 'San Francisco']]);

    // Buy: the purchase itself sets SmsUrl / StatusCallback to the connection's receive URL.
    let purchase: Record<string, string> = {};
    nock(API)
      .post(`${ACCOUNT}/IncomingPhoneNumbers.json`, (body) => ((purchase = { ...body }), true))
      .reply(...reply(201, incomingNumber({ smsUrl: conn.inboundUrl, statusCallback: conn.inboundUrl })));
    const bought = await h.call(apiKey, 'POST', `/v1/connections/${conn.id}/numbers`, { phoneNumber: BOUGHT }, { 'idempotency-key': 'buy-0142' });
    assert.equal(bought.status, 201, JSON.stringify(bought.body));
    assert.deepEqual(purchase, { PhoneNumber: BOUGHT, SmsUrl: conn.inboundUrl, SmsMethod: 'POST', StatusCallback: conn.inboundUrl, StatusCallbackMethod: 'POST' });
    assert.equal(bought.body.providerId, PN);
    assert.deepEqual([bought.body.sender.address, bought.body.sender.channel, bought.body.sender.registrationStatus], [BOUGHT, 'sms', 'unregistered']);
    // The same Idempotency-Key replays the purchase instead of buying again (no second interceptor is set).
    const again = await h.call(apiKey, 'POST', `/v1/connections/${conn.id}/numbers`, { phoneNumber: BOUGHT }, { 'idempotency-key': 'buy-0142' });
    assert.equal(again.headers.get('idempotent-replayed'), 'true');

    // Someone re-points the number in the Twilio console: the health check reports it.
    mockAccount();
    nock(API).get(`${ACCOUNT}/IncomingPhoneNumbers.json`).query(true).reply(...reply(200, numberList([incomingNumber({ smsUrl: ELSEWHERE, statusCallback: conn.inboundUrl })])));
    const sick = await h.call(apiKey, 'GET', `/v1/connections/${conn.id}/health`);
    assert.equal(sick.status, 200, JSON.stringify(sick.body));
    assert.equal(sick.body.status, 'degraded');
    const smsUrl = sick.body.wiring.find((w: { field: string }) => w.field === 'smsUrl');
    assert.deepEqual([smsUrl.id, smsUrl.ok, smsUrl.actual, smsUrl.expected], [BOUGHT, false, ELSEWHERE, conn.inboundUrl]);
    assert.ok(sick.body.wiring.find((w: { field: string }) => w.field === 'statusCallback').ok);
    assert.deepEqual(sick.body.problems.map((p: { code: string }) => p.code).sort(), ['sender_unregistered', 'webhook_misdirected']);
    const degraded = await syncEvents(h, apiKey, (evs) => evs.some((e) => e.type === 'connection.health_changed'));
    assert.deepEqual(degraded.filter((e) => e.type === 'connection.health_changed').map((e) => [e.data.status, e.data.previous, e.data.degraded]), [['degraded', null, true]]);

    // Fix webhook URLs: the number is updated with our URLs (asserted on what Twilio received).
    let update: Record<string, string> = {};
    mockAccount();
    nock(API).get(`${ACCOUNT}/IncomingPhoneNumbers.json`).query(true).reply(...reply(200, numberList([incomingNumber({ smsUrl: ELSEWHERE, statusCallback: conn.inboundUrl })])));
    nock(API)
      .post(`${ACCOUNT}/IncomingPhoneNumbers/${PN}.json`, (body) => ((update = { ...body }), true))
      .reply(...reply(200, incomingNumber({ smsUrl: conn.inboundUrl, statusCallback: conn.inboundUrl })));
    const fixed = await h.call(apiKey, 'POST', `/v1/connections/${conn.id}/wiring/fix`, {});
    assert.equal(fixed.status, 200, JSON.stringify(fixed.body));
    assert.deepEqual(update, { SmsUrl: conn.inboundUrl, SmsMethod: 'POST', StatusCallback: conn.inboundUrl, StatusCallbackMethod: 'POST' });
    assert.deepEqual(fixed.body.wiring.filter((w: { fixed?: boolean }) => w.fixed).map((w: { field: string }) => w.field), ['smsUrl']);
    assert.ok(fixed.body.wiring.every((w: { ok: boolean }) => w.ok));

    // Pending campaign: still refused by the preflight.
    const refused = await send(h, apiKey, conn.id);
    assert.equal(refused.status, 422, JSON.stringify(refused.body));
    assert.equal(refused.body.error.code, 'unregistered_sender');
    mockCampaign('IN_PROGRESS');
    const pending = await h.call(apiKey, 'POST', `/v1/connections/${conn.id}/registrations/sync`, {});
    assert.equal(pending.status, 200, JSON.stringify(pending.body));
    assert.deepEqual(pending.body.changed.map((c: { sender: { registrationStatus: string }; previous: string }) => [c.previous, c.sender.registrationStatus]), [['unregistered', 'pending']]);
    assert.equal((await send(h, apiKey, conn.id)).body.error.code, 'unregistered_sender');

    // Verified in Twilio: the sender is approved and the same send is queued.
    mockCampaign('VERIFIED');
    const verified = await h.call(apiKey, 'POST', `/v1/connections/${conn.id}/registrations/sync`, {});
    const sender = verified.body.changed[0].sender;
    assert.deepEqual([sender.registrationStatus, sender.brandId, sender.campaignId], ['approved', BN, 'CFOOBAR']);
    const allowed = await send(h, apiKey, conn.id);
    assert.equal(allowed.status, 201, JSON.stringify(allowed.body));
    assert.equal(allowed.body.status, 'queued');

    // Failed upstream (the reverse): blocked again.
    mockCampaign('FAILED');
    await h.call(apiKey, 'POST', `/v1/connections/${conn.id}/registrations/sync`, {});
    assert.equal((await send(h, apiKey, conn.id)).body.error.code, 'unregistered_sender');

    // Healthy once the webhook points at us and the campaign is verified: the recovery is an event too.
    mockCampaign('VERIFIED');
    await h.call(apiKey, 'POST', `/v1/connections/${conn.id}/registrations/sync`, {});
    mockAccount();
    nock(API).get(`${ACCOUNT}/IncomingPhoneNumbers.json`).query(true).reply(...reply(200, numberList([incomingNumber({ smsUrl: conn.inboundUrl, statusCallback: conn.inboundUrl })])));
    const well = await h.call(apiKey, 'GET', `/v1/connections/${conn.id}/health`);
    assert.deepEqual([well.body.status, well.body.previousStatus, well.body.problems], ['ok', 'degraded', []]);
    const events = await syncEvents(h, apiKey, (evs) => evs.filter((e) => e.type === 'connection.health_changed').length >= 2);
    assert.deepEqual(events.filter((e) => e.type === 'connection.health_changed').map((e) => e.data.status), ['degraded', 'ok']);
    assert.deepEqual(nock.pendingMocks(), []);
  });

  it('release is explicit and audited; the sender goes with the number', async () => {
    const h = await pipeline.ready;
    const { apiKey } = await h.newOrg();
    const conn = await twilioConnection(h, apiKey, { config: { fromNumbers: undefined } });
    const created = await h.call(apiKey, 'POST', `/v1/connections/${conn.id}/senders`, { channel: 'sms', address: BOUGHT });
    assert.equal(created.status, 201);
    nock(API).get(`${ACCOUNT}/IncomingPhoneNumbers.json`).query({ PhoneNumber: BOUGHT, PageSize: '1' }).reply(...reply(200, numberList([incomingNumber()])));
    nock(API).delete(`${ACCOUNT}/IncomingPhoneNumbers/${PN}.json`).reply(204, '', { 'content-length': '0' });
    const released = await h.call(apiKey, 'POST', `/v1/connections/${conn.id}/numbers/release`, { phoneNumber: BOUGHT });
    assert.equal(released.status, 200, JSON.stringify(released.body));
    assert.deepEqual([released.body.released, released.body.providerId, released.body.sendersRemoved], [true, PN, 1]);
    assert.deepEqual((await h.call(apiKey, 'GET', `/v1/connections/${conn.id}/senders`)).body.data, []);
    const audit = await h.call(apiKey, 'GET', '/v1/audit?action=connection.number_released');
    assert.ok(audit.body.data.some((e: { action: string; details: { phoneNumber: string } }) => e.action === 'connection.number_released' && e.details.phoneNumber === BOUGHT), JSON.stringify(audit.body));
    assert.deepEqual(nock.pendingMocks(), []);
  });

  it('refused credentials are a 502 provider_error naming Twilio; a bad search is a 400 naming the field', async () => {
    const h = await pipeline.ready;
    const { apiKey } = await h.newOrg();
    const conn = await twilioConnection(h, apiKey);
    nock(API).get(`${ACCOUNT}/AvailablePhoneNumbers/US/Local.json`).query(true).reply(...reply(401, { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 }));
    const denied = await h.call(apiKey, 'GET', `/v1/connections/${conn.id}/numbers/available`);
    assert.equal(denied.status, 502);
    assert.equal(denied.body.error.code, 'provider_error');
    assert.match(denied.body.error.message, /^Twilio: /);
    const bad = await h.call(apiKey, 'GET', `/v1/connections/${conn.id}/numbers/available?country=USA`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.details[0].field, '/country');
  });
});
