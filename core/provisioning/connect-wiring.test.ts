import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'vitest';
import nock from 'nock';
import { usePipeline } from '../../test/pipeline.ts';
import { reply } from '../../test/nock-reply.ts';
import { ACCOUNT_SID, AUTH_TOKEN, OUR_NUMBER } from '../../test/connections.ts';
import { ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, VERIFY_TOKEN } from '../../connectors/whatsapp/testing.ts';
import type { Harness } from '../../test/harness.ts';

/**
 * Wiring on connect: POST /v1/connections points the provider's webhooks at the new connection
 * (Twilio numbers + Messaging Service, SendGrid Inbound Parse + signed Event Webhook, the WhatsApp
 * app subscription), audited as connection.wiring_fixed; wire: false skips it; a provider refusal
 * is reported beside the created connection. Providers answered by nock in their documented shapes.
 */
const pipeline = usePipeline({ workers: false });
const API = 'https://api.twilio.com';
const MESSAGING = 'https://messaging.twilio.com';
const SENDGRID = 'https://api.sendgrid.com';
const GRAPH = 'https://graph.facebook.com';
const ACCOUNT = `/2010-04-01/Accounts/${ACCOUNT_SID}`;
const PN = 'PN2a0747eba6abf96b7e3c3ff0b4530f6e';
const MG = 'MG2172dd2db502e20dd981ef0d67850e1a';
const ELSEWHERE = 'https://old-app.example.com/sms';
const WABA = '102290129340398';

const incomingNumber = (smsUrl: string, statusCallback: string) => ({
  account_sid: ACCOUNT_SID,
  address_requirements: 'none',
  api_version: '2010-04-01',
  beta: false,
  capabilities: { voice: true, sms: true, mms: true, fax: false },
  date_created: 'Thu, 03 Dec 2026 10:30:00 +0000',
  date_updated: 'Thu, 03 Dec 2026 10:30:00 +0000',
  friendly_name: '(415) 555-0199',
  origin: 'twilio',
  phone_number: OUR_NUMBER,
  sid: PN,
  sms_application_sid: '',
  sms_fallback_method: 'POST',
  sms_fallback_url: '',
  sms_method: 'POST',
  sms_url: smsUrl,
  status_callback: statusCallback,
  status_callback_method: 'POST',
  status: 'in-use',
  uri: `${ACCOUNT}/IncomingPhoneNumbers/${PN}.json`,
  voice_method: 'POST',
  voice_url: '',
});

/** Twilio's Messaging Service resource (messaging.twilio.com/v1/Services/{sid}). */
const service = (inbound: string | null, status: string | null) => ({
  account_sid: ACCOUNT_SID,
  area_code_geomatch: true,
  date_created: '2026-11-03T10:00:00Z',
  date_updated: '2026-11-03T10:00:00Z',
  fallback_method: 'POST',
  fallback_to_long_code: true,
  fallback_url: null,
  friendly_name: 'Acme notifications',
  inbound_method: 'POST',
  inbound_request_url: inbound,
  links: {},
  mms_converter: true,
  scan_message_content: 'inherit',
  sid: MG,
  smart_encoding: true,
  status_callback: status,
  sticky_sender: true,
  synchronous_validation: true,
  url: `${MESSAGING}/v1/Services/${MG}`,
  usecase: 'notifications',
  us_app_to_person_registered: false,
  use_inbound_webhook_on_number: false,
  validity_period: 14400,
});

const create = (h: Harness, apiKey: string, body: Record<string, unknown>) => h.call(apiKey, 'POST', '/v1/connections', body);
const twilio = (extra: Record<string, unknown> = {}) => ({
  connector: 'twilio',
  name: 'Twilio',
  config: { accountSid: ACCOUNT_SID, fromNumbers: [OUR_NUMBER], messagingServiceSid: MG },
  secrets: { authToken: AUTH_TOKEN },
  ...extra,
});

async function auditOf(h: Harness, apiKey: string, action: string) {
  const res = await h.call(apiKey, 'GET', `/v1/audit?action=${action}`);
  return res.body.data as { action: string; target: { id: string }; details: Record<string, any> }[];
}

/** Requests to a provider nock did not intercept (a call the test did not expect). */
function unexpectedCalls() {
  const seen: string[] = [];
  const listener = (req: { method?: string; hostname?: string; path?: string }) => {
    // Loopback is our own API (the test's calls), let through by the pipeline.
    if (!/^(127\.0\.0\.1|localhost)$/.test(req.hostname ?? '')) seen.push(`${req.method} ${req.hostname}${req.path}`);
  };
  nock.emitter.on('no match', listener);
  return { seen, stop: () => nock.emitter.removeListener('no match', listener) };
}

describe('wiring on connect', () => {
  it('Twilio: the number and the Messaging Service are pointed at the new connection (asserted on what Twilio received); audited', async () => {
    const h = await pipeline.ready;
    const { apiKey } = await h.newOrg();
    const received: Record<string, Record<string, string>> = {};
    // Twilio's URLs name the connection, unknown until it is created: the interceptors match any and the answers echo the request.
    nock(API).get(`${ACCOUNT}/IncomingPhoneNumbers.json`).query(true).basicAuth({ user: ACCOUNT_SID, pass: AUTH_TOKEN }).reply(...reply(200, {
      end: 0, first_page_uri: `${ACCOUNT}/IncomingPhoneNumbers.json?PageSize=50&Page=0`, next_page_uri: null, page: 0, page_size: 50, previous_page_uri: null, start: 0,
      uri: `${ACCOUNT}/IncomingPhoneNumbers.json?PageSize=50&Page=0`,
      incoming_phone_numbers: [incomingNumber(ELSEWHERE, ''), incomingNumber('https://ivr.example.com/voice', '')].map((n, i) => (i ? { ...n, sid: 'PN' + 'f'.repeat(32), phone_number: '+14155550777' } : n)),
    }));
    nock(API)
      .post(`${ACCOUNT}/IncomingPhoneNumbers/${PN}.json`, (b) => ((received.number = { ...b }), true))
      .reply(() => reply(200, incomingNumber(received.number!.SmsUrl!, received.number!.StatusCallback!)));
    nock(MESSAGING).get(`/v1/Services/${MG}`).reply(...reply(200, service(null, ELSEWHERE)));
    nock(MESSAGING)
      .post(`/v1/Services/${MG}`, (b) => ((received.service = { ...b }), true))
      .reply(() => reply(200, service(received.service!.InboundRequestUrl!, received.service!.StatusCallback!)));

    const res = await create(h, apiKey, twilio());
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const conn = res.body;
    assert.equal(conn.wiring.status, 'wired', JSON.stringify(conn.wiring));
    assert.deepEqual(received.number, { SmsUrl: conn.inboundUrl, SmsMethod: 'POST', StatusCallback: conn.inboundUrl, StatusCallbackMethod: 'POST' });
    assert.deepEqual(received.service, { InboundRequestUrl: conn.inboundUrl, InboundMethod: 'POST', StatusCallback: conn.inboundUrl });
    assert.deepEqual(
      conn.wiring.items.filter((w: { fixed?: boolean }) => w.fixed).map((w: { kind: string; id: string; field: string }) => `${w.kind} ${w.id} ${w.field}`),
      [`phone_number ${OUR_NUMBER} smsUrl`, `phone_number ${OUR_NUMBER} statusCallback`, `messaging_service ${MG} inboundRequestUrl`, `messaging_service ${MG} statusCallback`],
    );
    // The account's other number (answered by another app) is left alone: no interceptor was set for it, and none is pending.
    assert.deepEqual(nock.pendingMocks(), []);
    const audit = await auditOf(h, apiKey, 'connection.wiring_fixed');
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.target.id, conn.id);
    assert.equal(audit[0]!.details.onConnect, true);
    assert.equal(audit[0]!.details.fixed.length, 4);
    assert.ok(!JSON.stringify(audit[0]).includes(conn.inboundUrl), 'the audit names places, not URLs');
  });

  it('wire: false creates the connection without a provider call; a refusal is reported beside the created connection', async () => {
    const h = await pipeline.ready;
    const { apiKey } = await h.newOrg();
    const calls = unexpectedCalls();
    try {
      const skipped = await create(h, apiKey, twilio({ wire: false }));
      assert.equal(skipped.status, 201, JSON.stringify(skipped.body));
      assert.deepEqual(skipped.body.wiring, { status: 'skipped' });
      assert.deepEqual(calls.seen, []);
    } finally {
      calls.stop();
    }

    // Twilio refuses the credentials: 201 all the same, the refusal beside it, audited as a failure.
    nock(API).get(`${ACCOUNT}/IncomingPhoneNumbers.json`).query(true).reply(...reply(401, { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 }));
    const refused = await create(h, apiKey, twilio());
    assert.equal(refused.status, 201, JSON.stringify(refused.body));
    assert.equal(refused.body.wiring.status, 'failed');
    assert.equal(refused.body.wiring.error.code, 'provider_error');
    assert.match(refused.body.wiring.error.message, /^Twilio: /);
    const got = await h.call(apiKey, 'GET', `/v1/connections/${refused.body.id}`);
    assert.deepEqual([got.status, got.body.status], [200, 'active']);
    const failed = await auditOf(h, apiKey, 'connection.wiring_failed');
    assert.deepEqual(failed.map((a) => [a.target.id, a.details.code]), [[refused.body.id, 'provider_error']]);
    assert.deepEqual(await auditOf(h, apiKey, 'connection.wiring_fixed'), []);
    assert.deepEqual(nock.pendingMocks(), []);
  });

  it('SendGrid: Inbound Parse created and the Event Webhook enabled, signed, pointing at us; the verification key is stored', async () => {
    const h = await pipeline.ready;
    const { apiKey } = await h.newOrg();
    const api = () => nock(SENDGRID).matchHeader('authorization', 'Bearer SG.test-key');
    const publicKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const received: Record<string, any> = {};
    const keep = (name: string) => (body: unknown) => ((received[name] = body), true);
    api().get('/v3/user/webhooks/parse/settings').reply(...reply(200, { result: [] }));
    api().post('/v3/user/webhooks/parse/settings', keep('parse')).reply(() => reply(201, received.parse));
    api().get('/v3/user/webhooks/event/settings').reply(...reply(200, {
      enabled: false, url: null, group_resubscribe: false, delivered: false, group_unsubscribe: false, spam_report: false, bounce: false, deferred: false,
      unsubscribe: false, processed: false, open: false, click: false, dropped: false, oauth_client_id: null, oauth_token_url: null,
    }));
    api().patch('/v3/user/webhooks/event/settings', keep('event')).reply(() => reply(200, received.event));
    api().get('/v3/user/webhooks/event/settings/signed').reply(...reply(200, { public_key: '' }));
    api().patch('/v3/user/webhooks/event/settings/signed', keep('signed')).reply(...reply(200, { public_key: publicKey }));
    api().get('/v3/whitelabel/domains').query({ domain: 'acme-pm.com' }).reply(...reply(200, [{ id: 7, user_id: 1, subdomain: 'em4821', domain: 'acme-pm.com', username: 'acme', ips: [], custom_spf: false, default: true, legacy: false, automatic_security: true, valid: true, dns: {} }]));

    const res = await create(h, apiKey, {
      connector: 'sendgrid',
      name: 'Email',
      config: { fromAddress: 'ops@acme-pm.com', inboundHostname: 'parse.acme-pm.invalid' },
      secrets: { apiKey: 'SG.test-key' },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const conn = res.body;
    assert.deepEqual(received.parse, { url: conn.inboundUrl, hostname: 'parse.acme-pm.invalid', spam_check: false, send_raw: false });
    assert.deepEqual(received.event, { enabled: true, url: conn.inboundUrl, processed: true, deferred: true, delivered: true, open: true, click: true, bounce: true, dropped: true });
    assert.deepEqual(received.signed, { enabled: true });
    // The MX record of an .invalid host cannot exist: what only the customer can add leaves the wiring incomplete.
    assert.equal(conn.wiring.status, 'incomplete');
    assert.deepEqual(conn.wiring.items.filter((w: { ok: boolean }) => !w.ok).map((w: { kind: string }) => w.kind), ['mx_record']);
    assert.equal(conn.config.eventWebhookPublicKey, publicKey, 'the answer shows the connection with the stored key');
    assert.equal((await h.call(apiKey, 'GET', `/v1/connections/${conn.id}`)).body.config.eventWebhookPublicKey, publicKey);
    const audit = await auditOf(h, apiKey, 'connection.wiring_fixed');
    assert.deepEqual(audit[0]!.details.fixed.map((f: { kind: string; field: string }) => `${f.kind}.${f.field}`), ['inbound_parse.url', 'event_webhook.url', 'event_webhook.signed']);
    assert.deepEqual(nock.pendingMocks(), []);
  });

  it('WhatsApp: the app is subscribed to the WABA with our callback URL; without a WABA id the refusal says what to set', async () => {
    const h = await pipeline.ready;
    const { apiKey } = await h.newOrg();
    const graph = () => nock(GRAPH).matchHeader('authorization', `Bearer ${ACCESS_TOKEN}`);
    let subscribed: any;
    graph().get(`/v24.0/${WABA}/subscribed_apps`).reply(...reply(200, { data: [] }));
    graph().post(`/v24.0/${WABA}/subscribed_apps`, (b) => ((subscribed = b), true)).reply(...reply(200, { success: true }));
    const wa = (config: Record<string, unknown>) => ({ connector: 'whatsapp', name: 'WhatsApp', config: { phoneNumberId: PHONE_NUMBER_ID, verifyToken: VERIFY_TOKEN, ...config }, secrets: { accessToken: ACCESS_TOKEN, appSecret: APP_SECRET } });
    const res = await create(h, apiKey, wa({ wabaId: WABA }));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual(subscribed, { override_callback_uri: res.body.inboundUrl, verify_token: VERIFY_TOKEN });
    assert.deepEqual([res.body.wiring.status, res.body.wiring.items.map((w: { kind: string; fixed: boolean }) => [w.kind, w.fixed])], ['wired', [['app_subscription', true]]]);
    assert.deepEqual(nock.pendingMocks(), []);

    const noWaba = await create(h, apiKey, wa({}));
    assert.equal(noWaba.status, 201, JSON.stringify(noWaba.body));
    assert.equal(noWaba.body.wiring.status, 'failed');
    assert.equal(noWaba.body.wiring.error.code, 'unprocessable');
    assert.match(noWaba.body.wiring.error.message, /wabaId/);
  });

  it('a sandbox connection is wired by simulation, without credentials or a provider call', async () => {
    const h = await pipeline.ready;
    const { apiKey } = await h.newOrg();
    const calls = unexpectedCalls();
    try {
      const res = await create(h, apiKey, { connector: 'twilio', name: 'Sandbox', config: { accountSid: ACCOUNT_SID }, secrets: { authToken: 'placeholder' }, sandbox: true });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.equal(res.body.wiring.status, 'wired');
      assert.deepEqual(calls.seen, []);
    } finally {
      calls.stop();
    }
  });
});
