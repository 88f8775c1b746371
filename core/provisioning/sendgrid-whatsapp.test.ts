import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'vitest';
import nock from 'nock';
import { usePipeline } from '../../test/pipeline.ts';
import { reply } from '../../test/nock-reply.ts';
import { stored } from '../../test/connections.ts';
import { ACCESS_TOKEN, APP_SECRET, PHONE_NUMBER_ID, VERIFY_TOKEN } from '../../connectors/whatsapp/testing.ts';

/**
 * SendGrid (Web API v3 through @sendgrid/client) and WhatsApp Cloud (Graph API) provisioning
 * through our API, with the providers' documented answers from nock and assertions on what they
 * received.
 */
const pipeline = usePipeline({ workers: false });
const SENDGRID = 'https://api.sendgrid.com';
const GRAPH = 'https://graph.facebook.com';
const INBOUND_SECRET = 'parse-secret-5f4e3d2c1b0a9f8e';
const HOST = 'parse.acme-pm.invalid';
const WABA = '102290129340398';

describe('SendGrid: Inbound Parse, signed Event Webhook, domain authentication', () => {
  it('"Fix webhook URLs" creates the parse setting and the Event Webhook with our URLs and stores the verification key', async () => {
    const h = await pipeline.ready;
    const { apiKey } = await h.newOrg();
    const created = await h.call(apiKey, 'POST', '/v1/connections', {
      connector: 'sendgrid',
      name: 'Email',
      wire: false,
      config: { fromAddress: 'ops@acme-pm.com', inboundHostname: HOST },
      secrets: { apiKey: 'SG.test-key', inboundSecret: INBOUND_SECRET },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const conn = created.body;
    const api = () => nock(SENDGRID).matchHeader('authorization', 'Bearer SG.test-key');
    const publicKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const received: Record<string, unknown> = {};
    const keep = (name: string) => (body: unknown) => ((received[name] = body), true);

    api().get('/v3/scopes').reply(...reply(200, { scopes: ['mail.send', 'user.webhooks.parse.settings.create'] }));
    api().get('/v3/user/webhooks/parse/settings').reply(...reply(200, { result: [{ url: 'https://old.example.com/parse', hostname: 'mail.other.invalid', spam_check: false, send_raw: false }] }));
    api().post('/v3/user/webhooks/parse/settings', keep('parse')).reply(...reply(201, { url: `${conn.inboundUrl}?secret=${INBOUND_SECRET}`, hostname: HOST, spam_check: false, send_raw: false }));
    api().get('/v3/user/webhooks/event/settings').reply(...reply(200, {
      enabled: false, url: null, group_resubscribe: false, delivered: false, group_unsubscribe: false, spam_report: false, bounce: false, deferred: false,
      unsubscribe: false, processed: false, open: false, click: false, dropped: false, oauth_client_id: null, oauth_token_url: null,
    }));
    api().patch('/v3/user/webhooks/event/settings', keep('event')).reply(...reply(200, { enabled: true, url: conn.inboundUrl }));
    api().get('/v3/user/webhooks/event/settings/signed').reply(...reply(200, { public_key: '' }));
    api().patch('/v3/user/webhooks/event/settings/signed', keep('signed')).reply(...reply(200, { public_key: publicKey }));
    api().get('/v3/whitelabel/domains').query({ domain: 'acme-pm.com' }).reply(...reply(200, [{
      id: 7, user_id: 1, subdomain: 'em4821', domain: 'acme-pm.com', username: 'acme', ips: [], custom_spf: false, default: true, legacy: false, automatic_security: true, valid: false,
      dns: {
        mail_cname: { valid: false, type: 'cname', host: 'em4821.acme-pm.com', data: 'u1234.wl.sendgrid.net' },
        dkim1: { valid: true, type: 'cname', host: 's1._domainkey.acme-pm.com', data: 's1.domainkey.u1234.wl.sendgrid.net' },
        dkim2: { valid: true, type: 'cname', host: 's2._domainkey.acme-pm.com', data: 's2.domainkey.u1234.wl.sendgrid.net' },
      },
    }]));

    const fixed = await h.call(apiKey, 'POST', `/v1/connections/${conn.id}/wiring/fix`, {});
    assert.equal(fixed.status, 200, JSON.stringify(fixed.body));
    assert.deepEqual(received.parse, { url: `${conn.inboundUrl}?secret=${INBOUND_SECRET}`, hostname: HOST, spam_check: false, send_raw: false });
    assert.deepEqual(received.event, { enabled: true, url: conn.inboundUrl, processed: true, deferred: true, delivered: true, open: true, click: true, bounce: true, dropped: true });
    assert.deepEqual(received.signed, { enabled: true });
    const byKind = (kind: string, field?: string) => fixed.body.wiring.find((w: { kind: string; field?: string }) => w.kind === kind && (!field || w.field === field));
    assert.deepEqual([byKind('inbound_parse').fixed, byKind('event_webhook', 'url').fixed, byKind('event_webhook', 'signed').fixed], [true, true, true]);
    assert.ok(!JSON.stringify(fixed.body).includes(INBOUND_SECRET), 'the parse secret never appears in a report');
    assert.match(byKind('inbound_parse').expected, /\?secret=\*\*\*$/);
    // What only the customer can change is reported, with what to do.
    const domain = byKind('domain_authentication');
    assert.deepEqual([domain.ok, domain.fixable], [false, false]);
    assert.match(domain.message, /CNAME em4821\.acme-pm\.com → u1234\.wl\.sendgrid\.net/);
    const mx = byKind('mx_record');
    assert.deepEqual([mx.id, mx.ok, mx.fixable], [HOST, false, false]);
    assert.match(mx.message, /mx\.sendgrid\.net/);
    assert.equal(fixed.body.status, 'degraded');
    // The key SendGrid created is now the connection's: signed events verify against it.
    const after = await h.call(apiKey, 'GET', `/v1/connections/${conn.id}`);
    assert.equal(after.body.config.eventWebhookPublicKey, publicKey);
    assert.deepEqual(nock.pendingMocks(), []);
  });
});

describe('WhatsApp Cloud: templates, subscription, numbers', () => {
  async function whatsapp() {
    const h = await pipeline.ready;
    const { orgId, apiKey } = await h.newOrg();
    const created = await h.call(apiKey, 'POST', '/v1/connections', {
      connector: 'whatsapp',
      name: 'WhatsApp',
      wire: false,
      config: { phoneNumberId: PHONE_NUMBER_ID, verifyToken: VERIFY_TOKEN, wabaId: WABA },
      secrets: { accessToken: ACCESS_TOKEN, appSecret: APP_SECRET },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    return { h, orgId, apiKey, conn: created.body as { id: string; inboundUrl: string } };
  }
  const graph = () => nock(GRAPH).matchHeader('authorization', `Bearer ${ACCESS_TOKEN}`);
  const template = (id: string, name: string, status: string, category: string, body: string) => ({
    name,
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Acme Property' },
      { type: 'BODY', text: body, example: { body_text: [['Dana', 'Dec 5 at 3pm']] } },
      { type: 'FOOTER', text: 'Reply STOP to opt out' },
    ],
    language: 'en_US',
    status,
    category,
    id,
  });

  it('templates synced; a send with a wrong variable count or a paused template is refused before anything is queued for Meta', async () => {
    const { h, orgId, apiKey, conn } = await whatsapp();
    let asked: Record<string, string> = {};
    graph()
      .get(`/v24.0/${WABA}/message_templates`)
      .query((q) => ((asked = { ...q } as Record<string, string>), true))
      .reply(...reply(200, {
        data: [
          template('1407680676729941', 'appointment_reminder', 'APPROVED', 'UTILITY', 'Hi {{1}}, your appointment is on {{2}}.'),
          template('1407680676729942', 'spring_promo', 'PAUSED', 'MARKETING', 'Spring offer for {{1}}.'),
          template('1407680676729943', 'late_notice', 'REJECTED', 'UTILITY', 'Rent for {{1}} is late.'),
        ],
        paging: { cursors: { before: 'MAZDZD', after: 'MgZDZD' } },
      }));
    const synced = await h.call(apiKey, 'POST', `/v1/connections/${conn.id}/templates/sync`, {});
    assert.equal(synced.status, 200, JSON.stringify(synced.body));
    assert.deepEqual(asked, { fields: 'id,name,language,category,status,components', limit: '100' });
    assert.deepEqual(
      synced.body.data.map((t: { name: string; status: string; category: string; variables: string[] }) => [t.name, t.status, t.category, t.variables]),
      [['appointment_reminder', 'approved', 'UTILITY', ['1', '2']], ['late_notice', 'rejected', 'UTILITY', ['1']], ['spring_promo', 'paused', 'MARKETING', ['1']]],
    );
    const listed = await h.call(apiKey, 'GET', `/v1/connections/${conn.id}/templates`);
    assert.equal(listed.body.data.length, 3);

    const send = (template: object) => h.call(apiKey, 'POST', '/v1/send', { channel: 'whatsapp', to: { handle: { kind: 'whatsapp', value: '+14155550123' } }, template });
    const wrong = await send({ id: 'appointment_reminder', variables: { '1': 'Dana' } });
    assert.equal(wrong.status, 422, JSON.stringify(wrong.body));
    assert.equal(wrong.body.error.code, 'template_variables_mismatch');
    assert.deepEqual([wrong.body.error.details[0].field, wrong.body.error.details[0].missing], ['/template/variables', ['2']]);
    const paused = await send({ id: 'spring_promo:en_US', variables: { '1': 'Dana' } });
    assert.deepEqual([paused.status, paused.body.error.code], [422, 'template_not_approved']);
    const unknown = await send({ id: 'no_such_template', variables: {} });
    assert.deepEqual([unknown.status, unknown.body.error.details[0].field], [400, '/template/id']);
    assert.equal((await stored(h, orgId)).messages, 0, 'refused sends store nothing, so nothing is sent to Meta');
    const right = await send({ id: 'appointment_reminder', variables: { '1': 'Dana', '2': 'Dec 5 at 3pm' } });
    assert.equal(right.status, 201, JSON.stringify(right.body));

    // Meta pauses it later: the next sync reflects it, and the same send is refused.
    graph().get(`/v24.0/${WABA}/message_templates`).query(true).reply(...reply(200, {
      data: [template('1407680676729941', 'appointment_reminder', 'PAUSED', 'UTILITY', 'Hi {{1}}, your appointment is on {{2}}.')],
      paging: { cursors: { before: 'MAZDZD', after: 'MAZDZD' } },
    }));
    const resynced = await h.call(apiKey, 'POST', `/v1/connections/${conn.id}/templates/sync`, {});
    assert.deepEqual([resynced.body.changed, resynced.body.removed], [1, 2]);
    assert.equal((await send({ id: 'appointment_reminder', variables: { '1': 'Dana', '2': 'Dec 5' } })).body.error.code, 'template_not_approved');
    assert.deepEqual(nock.pendingMocks(), []);
  });

  it('subscribes the app to the WABA with our callback URL; lists numbers with quality rating and messaging limit', async () => {
    const { h, apiKey, conn } = await whatsapp();
    let subscribed: unknown;
    graph().get(`/v24.0/${PHONE_NUMBER_ID}`).query(true).reply(...reply(200, { verified_name: 'Acme Property', display_phone_number: '+1 555-078-3881', quality_rating: 'GREEN', id: PHONE_NUMBER_ID }));
    graph().get(`/v24.0/${WABA}/subscribed_apps`).reply(...reply(200, { data: [] }));
    graph().post(`/v24.0/${WABA}/subscribed_apps`, (b) => ((subscribed = b), true)).reply(...reply(200, { success: true }));
    const fixed = await h.call(apiKey, 'POST', `/v1/connections/${conn.id}/wiring/fix`, {});
    assert.equal(fixed.status, 200, JSON.stringify(fixed.body));
    assert.deepEqual(subscribed, { override_callback_uri: conn.inboundUrl, verify_token: VERIFY_TOKEN });
    assert.deepEqual(fixed.body.wiring.map((w: { kind: string; fixed: boolean }) => [w.kind, w.fixed]), [['app_subscription', true]]);

    graph().get(`/v24.0/${WABA}/phone_numbers`).query(true).reply(...reply(200, {
      data: [{ verified_name: 'Acme Property', display_phone_number: '+1 555-078-3881', id: PHONE_NUMBER_ID, quality_rating: 'YELLOW', messaging_limit_tier: 'TIER_1K' }],
      paging: { cursors: { before: 'QVFIUk', after: 'QVFIUk' } },
    }));
    const numbers = await h.call(apiKey, 'GET', `/v1/connections/${conn.id}/numbers`);
    assert.deepEqual(numbers.body.numbers.map((n: { id: string; phoneNumber: string; qualityRating: string; messagingLimit: string }) => [n.id, n.phoneNumber, n.qualityRating, n.messagingLimit]), [
      [PHONE_NUMBER_ID, '+15550783881', 'YELLOW', 'TIER_1K'],
    ]);
    assert.deepEqual(nock.pendingMocks(), []);
  });
});
