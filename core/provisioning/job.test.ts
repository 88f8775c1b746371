import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import nock from 'nock';
import { usePipeline } from '../../test/pipeline.ts';
import { reply } from '../../test/nock-reply.ts';
import { ACCOUNT_SID, CUSTOMER, syncEvents, twilioConnection } from '../../test/connections.ts';
import { runProvisioning } from './job.ts';
import type { Harness } from '../../test/harness.ts';

/**
 * The provisioning poll (the background job, not an API call): it reads A2P 10DLC status from
 * Twilio (BrandRegistrations, Messaging Services, their UsAppToPerson campaigns and numbers, in
 * Twilio's documented list shapes through the SDK) into the senders, so the send preflight follows
 * Twilio: a campaign moving pending → verified lets sends through, verified → failed blocks them.
 * Two replicas polling at once poll a connection once.
 */
const pipeline = usePipeline({ workers: false });
const API = 'https://api.twilio.com';
const MESSAGING = 'https://messaging.twilio.com';
const ACCOUNT = `/2010-04-01/Accounts/${ACCOUNT_SID}`;
const NUMBER = '+14155550142';
const PN = 'PN2a0747eba6abf96b7e3c3ff0b4530f6e';
const MG = 'MG2172dd2db502e20dd981ef0d67850e1a';
const BN = 'BN0044409f7e067e279523808d267e2d85';

const v1Page = (key: string, url: string, records: object[]) => ({
  [key]: records,
  meta: { page: 0, page_size: 50, first_page_url: `${url}?PageSize=50&Page=0`, previous_page_url: null, url: `${url}?PageSize=50&Page=0`, next_page_url: null, key },
});

/** One poll's worth of Twilio: 10DLC resources with the campaign in `status`, then the health check's account + number. */
function twilioPoll(status: string, inboundUrl: string) {
  nock(MESSAGING).get('/v1/a2p/BrandRegistrations').query(true).reply(...reply(200, v1Page('data', `${MESSAGING}/v1/a2p/BrandRegistrations`, [
    { sid: BN, account_sid: ACCOUNT_SID, status: 'APPROVED', brand_type: 'STANDARD', tcr_id: 'BXXXXXX', failure_reason: null, date_created: '2026-11-01T10:00:00Z', date_updated: '2026-11-02T10:00:00Z' },
  ])));
  nock(MESSAGING).get('/v1/Services').query(true).reply(...reply(200, v1Page('services', `${MESSAGING}/v1/Services`, [
    { sid: MG, account_sid: ACCOUNT_SID, friendly_name: 'Acme notifications', inbound_request_url: null, status_callback: null, use_inbound_webhook_on_number: true, us_app_to_person_registered: status === 'VERIFIED' },
  ])));
  nock(MESSAGING).get(`/v1/Services/${MG}/Compliance/Usa2p`).query(true).reply(...reply(200, v1Page('compliance', `${MESSAGING}/v1/Services/${MG}/Compliance/Usa2p`, [{
    sid: 'QE2c6890da8086d771620e9b13fadeba0b', account_sid: ACCOUNT_SID, brand_registration_sid: BN, messaging_service_sid: MG,
    description: 'Appointment reminders and technician arrival notices', us_app_to_person_usecase: 'CUSTOMER_CARE', campaign_status: status, campaign_id: 'CFOOBAR',
    is_externally_registered: false, rate_limits: {}, message_flow: 'Customers opt in when booking', date_created: '2026-11-03T10:00:00Z', date_updated: '2026-11-04T10:00:00Z', mock: false, errors: [],
  }])));
  nock(MESSAGING).get(`/v1/Services/${MG}/PhoneNumbers`).query(true).reply(...reply(200, v1Page('phone_numbers', `${MESSAGING}/v1/Services/${MG}/PhoneNumbers`, [
    { sid: PN, account_sid: ACCOUNT_SID, service_sid: MG, phone_number: NUMBER, country_code: 'US', capabilities: ['SMS', 'MMS'], date_created: '2026-11-03T10:00:00Z', date_updated: '2026-11-03T10:00:00Z' },
  ])));
  nock(API).get(`${ACCOUNT}.json`).reply(...reply(200, { sid: ACCOUNT_SID, status: 'active', friendly_name: 'Acme', type: 'Full' }));
  nock(API).get(`${ACCOUNT}/IncomingPhoneNumbers.json`).query(true).reply(...reply(200, {
    end: 0, first_page_uri: `${ACCOUNT}/IncomingPhoneNumbers.json?PageSize=50&Page=0`, next_page_uri: null, page: 0, page_size: 50, previous_page_uri: null, start: 0,
    uri: `${ACCOUNT}/IncomingPhoneNumbers.json?PageSize=50&Page=0`,
    incoming_phone_numbers: [{
      account_sid: ACCOUNT_SID, api_version: '2010-04-01', capabilities: { voice: true, sms: true, mms: true, fax: false }, friendly_name: '(415) 555-0142',
      phone_number: NUMBER, sid: PN, sms_method: 'POST', sms_url: inboundUrl, status_callback: inboundUrl, status_callback_method: 'POST', status: 'in-use',
    }],
  }));
}

const send = (h: Harness, apiKey: string) =>
  h.call(apiKey, 'POST', '/v1/send', { channel: 'sms', to: { handle: { kind: 'phone', value: CUSTOMER } }, from: { address: NUMBER }, body: 'Your technician is on the way' });

async function senderOf(h: Harness, apiKey: string, connectionId: string) {
  const res = await h.call(apiKey, 'GET', `/v1/connections/${connectionId}/senders`);
  return res.body.data.find((s: { address: string }) => s.address === NUMBER) as { registrationStatus: string; campaignId: string | null; brandId: string | null };
}

describe('provisioning job: 10DLC polling', () => {
  it('campaign pending → verified flips the sender to approved and the preflight allows; verified → failed blocks again', async () => {
    const h = await pipeline.ready;
    const { apiKey } = await h.newOrg();
    const conn = await twilioConnection(h, apiKey, { config: { fromNumbers: undefined } });
    assert.equal((await h.call(apiKey, 'POST', `/v1/connections/${conn.id}/senders`, { channel: 'sms', address: NUMBER })).status, 201);
    assert.equal((await senderOf(h, apiKey, conn.id)).registrationStatus, 'unregistered');
    const refusedAtFirst = await send(h, apiKey);
    assert.deepEqual([refusedAtFirst.status, refusedAtFirst.body.error?.code], [422, 'unregistered_sender']);

    // First poll: the campaign is in review at Twilio.
    twilioPoll('IN_PROGRESS', conn.inboundUrl);
    assert.deepEqual(await runProvisioning(h.engine, { intervalMs: 0 }), { connections: 1, failed: 0 });
    assert.deepEqual(nock.pendingMocks(), [], 'the poll read the 10DLC resources and ran the health check');
    assert.equal((await senderOf(h, apiKey, conn.id)).registrationStatus, 'pending');
    assert.equal((await send(h, apiKey)).body.error?.code, 'unregistered_sender');

    // Twilio verifies the campaign: the next poll approves the sender; the same send is accepted.
    twilioPoll('VERIFIED', conn.inboundUrl);
    assert.deepEqual(await runProvisioning(h.engine, { intervalMs: 0 }), { connections: 1, failed: 0 });
    const approved = await senderOf(h, apiKey, conn.id);
    assert.deepEqual([approved.registrationStatus, approved.brandId, approved.campaignId], ['approved', BN, 'CFOOBAR']);
    const allowed = await send(h, apiKey);
    assert.equal(allowed.status, 201, JSON.stringify(allowed.body));

    // The reverse: the campaign fails (or is suspended) at Twilio: blocked again after the next poll.
    twilioPoll('FAILED', conn.inboundUrl);
    await runProvisioning(h.engine, { intervalMs: 0 });
    assert.equal((await senderOf(h, apiKey, conn.id)).registrationStatus, 'rejected');
    assert.equal((await send(h, apiKey)).body.error?.code, 'unregistered_sender');

    const changes = (await syncEvents(h, apiKey, (evs) => evs.filter((e) => e.type === 'sender.registration_changed').length >= 3))
      .filter((e) => e.type === 'sender.registration_changed')
      .map((e) => [e.data.previous, e.data.sender.registrationStatus]);
    assert.deepEqual(changes, [['unregistered', 'pending'], ['pending', 'approved'], ['approved', 'rejected']]);
    assert.deepEqual(nock.pendingMocks(), []);
  });

  it('two replicas polling at once poll the connection once; within the interval it is not polled again', async () => {
    const h = await pipeline.ready;
    const { apiKey } = await h.newOrg();
    const conn = await twilioConnection(h, apiKey, { config: { fromNumbers: undefined } });
    await h.call(apiKey, 'POST', `/v1/connections/${conn.id}/senders`, { channel: 'sms', address: NUMBER });
    // Only this org's connection is due: the other test's was polled a moment ago.
    twilioPoll('VERIFIED', conn.inboundUrl);
    const runs = await Promise.all([runProvisioning(h.engine, { intervalMs: 60_000 }), runProvisioning(h.engine, { intervalMs: 60_000 })]);
    assert.equal(runs.reduce((n, r) => n + r.connections, 0), 1, JSON.stringify(runs));
    assert.deepEqual(nock.pendingMocks(), []);
    assert.equal((await senderOf(h, apiKey, conn.id)).registrationStatus, 'approved');
    assert.deepEqual(await runProvisioning(h.engine, { intervalMs: 60_000 }), { connections: 0, failed: 0 });
  });
});
