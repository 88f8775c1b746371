import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import nock from 'nock';
import { usePipeline } from '../../test/pipeline.ts';
import { reply } from '../../test/nock-reply.ts';
import { ACCOUNT_SID, CUSTOMER, OUR_NUMBER, postTwilio, syncEvents, twilioConnection, twilioMessageResource } from '../../test/connections.ts';
import { waitFor } from '../../test/wait.ts';
import type { Harness } from '../../test/harness.ts';

/**
 * The traffic part of the wiring check: real sends through the pipeline (the twilio SDK against
 * nock), real signed status callbacks from "Twilio"; 2 failures among the last 5 sends make the
 * connection degraded (high_failure_rate) and emit connection.health_changed once, however many
 * times it is checked; 1 failure in 5 does not; deliveries after them recover it (one more event).
 */
const pipeline = usePipeline();
const API = 'https://api.twilio.com';
const ACCOUNT = `/2010-04-01/Accounts/${ACCOUNT_SID}`;

/** Twilio's answers to the check itself: the account (credentials) and our number, pointing at us. */
function providerHealthy(inboundUrl: string) {
  nock(API).get(`${ACCOUNT}.json`).reply(...reply(200, { sid: ACCOUNT_SID, status: 'active', friendly_name: 'Acme', type: 'Full' }));
  nock(API).get(`${ACCOUNT}/IncomingPhoneNumbers.json`).query(true).reply(...reply(200, {
    end: 0, first_page_uri: `${ACCOUNT}/IncomingPhoneNumbers.json?PageSize=50&Page=0`, next_page_uri: null, page: 0, page_size: 50, previous_page_uri: null, start: 0,
    uri: `${ACCOUNT}/IncomingPhoneNumbers.json?PageSize=50&Page=0`,
    incoming_phone_numbers: [{
      account_sid: ACCOUNT_SID, api_version: '2010-04-01', capabilities: { voice: true, sms: true, mms: true, fax: false }, friendly_name: '(415) 555-0199',
      phone_number: OUR_NUMBER, sid: 'PN2a0747eba6abf96b7e3c3ff0b4530f6e', sms_method: 'POST', sms_url: inboundUrl, status_callback: inboundUrl, status_callback_method: 'POST', status: 'in-use',
    }],
  }));
}

async function sendOne(h: Harness, apiKey: string, inboundUrl: string, n: number, outcome: 'delivered' | 'failed' | 'undelivered') {
  const sid = `SM${String(n).padStart(32, '0')}`;
  nock(API).post(`${ACCOUNT}/Messages.json`).reply(...reply(201, twilioMessageResource(sid, { body: `Visit ${n}` })));
  const res = await h.call(apiKey, 'POST', '/v1/messages', { channel: 'sms', to: { handle: { kind: 'phone', value: CUSTOMER } }, body: `Visit ${n}` });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  await waitFor(`message ${n} sent`, async () => (await h.call(apiKey, 'GET', `/v1/messages/${res.body.id}`)).body.status === 'sent', 10_000, 50);
  const errors: Record<string, string> = outcome === 'delivered' ? {} : { ErrorCode: '30003' };
  const cb = await postTwilio(inboundUrl, { AccountSid: ACCOUNT_SID, ApiVersion: '2010-04-01', MessageSid: sid, MessageStatus: outcome, SmsSid: sid, SmsStatus: outcome, From: OUR_NUMBER, To: CUSTOMER, ...errors });
  assert.equal(cb.status, 200, cb.text);
  await waitFor(`message ${n} ${outcome}`, async () => (await h.call(apiKey, 'GET', `/v1/messages/${res.body.id}`)).body.status === outcome, 10_000, 50);
}

const changes = (events: { type: string; data: any }[]) => events.filter((e) => e.type === 'connection.health_changed');

describe('health: outbound failure rate', () => {
  it('1 failure in 5 is ok; 2 in the last 5 → degraded with one connection.health_changed; recovered by later deliveries', async () => {
    const h = await pipeline.ready;
    const { apiKey } = await h.newOrg();
    const c = await twilioConnection(h, apiKey);
    const check = async () => {
      providerHealthy(c.inboundUrl);
      const res = await h.call(apiKey, 'GET', `/v1/connections/${c.id}/health`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body;
    };

    let n = 0;
    for (const outcome of ['delivered', 'failed', 'delivered', 'delivered', 'delivered'] as const) await sendOne(h, apiKey, c.inboundUrl, ++n, outcome);
    const fine = await check();
    assert.deepEqual([fine.status, fine.problems], ['ok', []]);
    assert.deepEqual(fine.traffic.recent, { sends: 5, failed: 1 });
    assert.deepEqual([fine.traffic.outbound24h, fine.traffic.failed24h, fine.traffic.errorRate], [5, 1, 0.2]);
    assert.ok(fine.traffic.lastOutboundAt);

    // A second failure (undelivered counts too) within the last five sends.
    await sendOne(h, apiKey, c.inboundUrl, ++n, 'undelivered');
    const sick = await check();
    assert.equal(sick.status, 'degraded', JSON.stringify(sick));
    assert.deepEqual(sick.traffic.recent, { sends: 5, failed: 2 });
    assert.deepEqual(sick.problems.map((p: { code: string; severity: string }) => [p.code, p.severity]), [['high_failure_rate', 'degraded']]);
    assert.match(sick.problems[0].message, /^2 of the last 5 outbound messages failed \(2 of 6 in the last 24 hours\)\.$/);
    // Checked again (the poll, an admin's page): still degraded, no second event.
    const again = await check();
    assert.deepEqual([again.status, again.previousStatus], ['degraded', 'degraded']);
    const degraded = changes(await syncEvents(h, apiKey, (evs) => changes(evs).length >= 1));
    assert.equal(degraded.length, 1);
    assert.deepEqual([degraded[0]!.data.status, degraded[0]!.data.previous, degraded[0]!.data.degraded, degraded[0]!.data.problems[0].code], ['degraded', 'ok', true, 'high_failure_rate']);

    // Four deliveries push the older failure out of the last five: 1 of 5 again → ok, the recovery is one more event.
    for (let i = 0; i < 4; i++) await sendOne(h, apiKey, c.inboundUrl, ++n, 'delivered');
    const well = await check();
    assert.deepEqual([well.status, well.previousStatus, well.traffic.recent], ['ok', 'degraded', { sends: 5, failed: 1 }]);
    const all = changes(await syncEvents(h, apiKey, (evs) => changes(evs).length >= 2));
    assert.deepEqual(all.map((e) => [e.data.status, e.data.previous]), [['degraded', 'ok'], ['ok', 'degraded']]);
    await check();
    assert.equal(changes(await syncEvents(h, apiKey)).length, 2, 'an ok check after ok emits nothing');
    assert.deepEqual(nock.pendingMocks(), []);
  });
});
