import { test, beforeAll } from 'vitest';
import assert from 'node:assert/strict';
import nock from 'nock';
import type { Harness } from '../../test/harness.ts';
import { usePipeline } from '../../test/pipeline.ts';
import { ACCOUNT_SID, AUTH_TOKEN, CUSTOMER, OUR_NUMBER, postTwilio, stored, syncEvents } from '../../test/connections.ts';
import { waitFor } from '../../test/wait.ts';
import { startRelay, type Relay } from '../events/relay.ts';
import sinch from '../../connectors/sinch/index.ts';
import { reply } from '../../test/nock-reply.ts';

/**
 * The same engine scenario with Twilio and with Sinch in its place — proof that the connector
 * abstraction holds: signed inbound → one message, duplicate → nothing new, forged → 401 and
 * nothing stored; outbound → the provider's real SDK (nock at HTTP level) → sent → the
 * provider's signed delivery report → delivered.
 */
interface Provider {
  name: string;
  connect(apiKey: string): Promise<{ id: string; inboundUrl: string }>;
  /** Posts a signed inbound SMS; `forge` spoils the signature. */
  inbound(url: string, m: { id: string; body: string }, forge?: boolean): Promise<number>;
  /** Intercepts the provider's send API once; returns what it was sent. */
  expectSend(providerId: string): { sent: () => Record<string, unknown> | undefined };
  delivered(url: string, providerId: string, messageId: string): Promise<number>;
}

const twilio: Provider = {
  name: 'twilio',
  async connect(apiKey) {
    const res = await h.call(apiKey, 'POST', '/v1/connections', {
      connector: 'twilio', name: 'Twilio', config: { accountSid: ACCOUNT_SID, fromNumbers: [OUR_NUMBER] }, secrets: { authToken: AUTH_TOKEN }, wire: false,
    });
    return res.body;
  },
  async inbound(url, m, forge) {
    const params = { MessageSid: m.id, AccountSid: ACCOUNT_SID, From: CUSTOMER, To: OUR_NUMBER, Body: m.body, NumMedia: '0' };
    return (await postTwilio(url, params, forge ? { token: 'not-the-auth-token-0000000000000' } : {})).status;
  },
  expectSend(sid) {
    let seen: Record<string, unknown> | undefined;
    nock('https://api.twilio.com')
      .post(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, (b: Record<string, unknown>) => ((seen = b), true))
      .reply(...reply(201, { sid, account_sid: ACCOUNT_SID, status: 'queued', to: CUSTOMER, from: OUR_NUMBER, body: 'x', num_media: '0', num_segments: '1', api_version: '2010-04-01', date_created: 'Fri, 27 Nov 2026 14:32:01 +0000', date_updated: 'Fri, 27 Nov 2026 14:32:01 +0000', date_sent: null, direction: 'outbound-api', error_code: null, error_message: null, messaging_service_sid: null, price: null, price_unit: 'USD', uri: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages/${sid}.json`, subresource_uris: {} }));
    return { sent: () => seen };
  },
  async delivered(url, sid) {
    return (await postTwilio(url, { AccountSid: ACCOUNT_SID, MessageSid: sid, MessageStatus: 'delivered', From: OUR_NUMBER, To: CUSTOMER })).status;
  },
};

const PLAN = '8f2b9c4d1e7a4b6c9d0e3f5a7b1c2d4e';
const SINCH_SECRETS = { apiToken: 'b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1', webhookSecret: 'kS9dX2mQ7vR4tL8p' };
const SINCH_CONFIG = { servicePlanId: PLAN, region: 'us' as const, fromNumbers: [OUR_NUMBER] };

async function postSinch(url: string, payload: unknown, forge = false): Promise<number> {
  const body = Buffer.from(JSON.stringify(payload));
  const headers = { 'content-type': 'application/json' };
  const signed = await sinch.sign!({ method: 'POST', url, headers, body }, { config: SINCH_CONFIG, secrets: forge ? { ...SINCH_SECRETS, webhookSecret: 'someone-elses-secret' } : SINCH_SECRETS });
  const res = await fetch(url, { method: 'POST', headers: { ...headers, ...signed }, body });
  await res.arrayBuffer();
  return res.status;
}

const sinchProvider: Provider = {
  name: 'sinch',
  async connect(apiKey) {
    const res = await h.call(apiKey, 'POST', '/v1/connections', { connector: 'sinch', name: 'Sinch', config: SINCH_CONFIG, secrets: SINCH_SECRETS });
    return res.body;
  },
  inbound(url, m, forge) {
    const digits = (n: string) => n.replace('+', '');
    return postSinch(url, { id: m.id, type: 'mo_text', from: digits(CUSTOMER), to: digits(OUR_NUMBER), body: m.body, received_at: '2026-11-27T14:32:01.543Z' }, forge);
  },
  expectSend(batchId) {
    let seen: Record<string, unknown> | undefined;
    nock('https://us.sms.api.sinch.com')
      .post(`/xms/v1/${PLAN}/batches`, (b: Record<string, unknown>) => ((seen = b), true))
      .reply(...reply(201, { id: batchId, to: [CUSTOMER.slice(1)], from: OUR_NUMBER.slice(1), canceled: false, body: 'x', type: 'mt_text', created_at: '2026-11-27T14:32:01.212Z', modified_at: '2026-11-27T14:32:01.212Z', delivery_report: 'per_recipient', flash_message: false }));
    return { sent: () => seen };
  },
  delivered(url, batchId, messageId) {
    return postSinch(url, { type: 'recipient_delivery_report_sms', batch_id: batchId, client_reference: messageId, recipient: CUSTOMER.slice(1), code: 0, status: 'Delivered', at: '2026-11-27T14:40:03.112Z' });
  },
};

const pipeline = usePipeline();
let h: Harness;
beforeAll(async () => {
  h = await pipeline.ready;
});

for (const p of [twilio, sinchProvider]) {
  test(`${p.name}: signed inbound stored once, duplicate ignored, forged refused with nothing stored`, async () => {
    const { apiKey, orgId } = await h.newOrg();
    const c = await p.connect(apiKey);
    assert.ok(c.id, JSON.stringify(c));
    assert.equal(await p.inbound(c.inboundUrl, { id: 'in-1', body: 'Is the plumber coming?' }), 200);
    assert.equal(await p.inbound(c.inboundUrl, { id: 'in-1', body: 'Is the plumber coming?' }), 200);
    const before = await stored(h, orgId);
    assert.equal(before.messages, 1);
    assert.equal(await p.inbound(c.inboundUrl, { id: 'in-2', body: 'forged' }, true), 401);
    assert.deepEqual(await stored(h, orgId), before, 'a forged request stores nothing');
    const created = (await syncEvents(h, apiKey, (e) => e.some((x) => x.type === 'message.created'))).filter((e) => e.type === 'message.created');
    assert.equal(created.length, 1);
    assert.equal(created[0]!.data.message.body, 'Is the plumber coming?');
    assert.equal(created[0]!.data.message.connectionId, c.id);
  });

  test(`${p.name}: outbound → provider API → sent → signed delivery report → delivered`, async () => {
    const { apiKey } = await h.newOrg();
    const c = await p.connect(apiKey);
    const providerId = `${p.name}-batch-0001`;
    const call = p.expectSend(providerId);
    const res = await h.call(apiKey, 'POST', '/v1/messages', { channel: 'sms', to: { handle: { kind: 'phone', value: CUSTOMER } }, body: 'Tech en route' });
    assert.equal(res.status, 201);
    const get = async () => (await h.call(apiKey, 'GET', `/v1/messages/${res.body.id}`)).body;
    const sent = await waitFor('sent', async () => ((await get()).status === 'sent' ? get() : null), 8_000, 50);
    assert.equal(sent.providerMessageId, providerId);
    assert.ok(JSON.stringify(call.sent()).includes('Tech en route'), 'the provider was handed the body');
    assert.equal(await p.delivered(c.inboundUrl, providerId, res.body.id), 200);
    assert.equal((await get()).status, 'delivered');
  });
}
