import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import nock from 'nock';
import { ConnectorError, type OutboundMessage } from '../kit/index.ts';
import whatsapp from './index.ts';

/**
 * send() and test() through global fetch against the Graph API's documented answers, intercepted
 * by nock: success is {messaging_product, contacts, messages: [{id}]}, failure is
 * {error: {message, type, code, error_subcode?, error_data?, fbtrace_id}}.
 */
const PHONE_NUMBER_ID = '106540352242922';
const TOKEN = 'EAAG-test-token-5d4c3b2a19f8';
const ctx = { config: { phoneNumberId: PHONE_NUMBER_ID, verifyToken: 'tok_9f8e7d6c5b4a' }, secrets: { accessToken: TOKEN, appSecret: 'secret' } };
const MESSAGES = `/v24.0/${PHONE_NUMBER_ID}/messages`;
const graph = () => nock('https://graph.facebook.com').matchHeader('authorization', `Bearer ${TOKEN}`);

const msg: OutboundMessage = {
  messageId: '0193a1b2-0000-7000-8000-000000000001',
  channel: 'whatsapp',
  to: { kind: 'whatsapp', value: '+14155550123' },
  body: 'Your technician is on the way',
};
const WAMID = 'wamid.HBgLMTQxNTU1NTAxMjMVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA';
const accepted = (id = WAMID, extra: Record<string, unknown> = {}) => ({
  messaging_product: 'whatsapp',
  contacts: [{ input: '14155550123', wa_id: '14155550123' }],
  messages: [{ id, ...extra }],
});
const graphError = (code: number, message: string, type = 'OAuthException') => ({
  error: { message, type, code, error_data: { messaging_product: 'whatsapp', details: message }, fbtrace_id: 'AbCdEfGhIjKlMnOp' },
});

async function sendError(m: OutboundMessage = msg, c = ctx): Promise<ConnectorError> {
  try {
    await whatsapp.send!(m, c);
  } catch (err) {
    assert.ok(ConnectorError.is(err), `expected a ConnectorError, got ${String(err)}`);
    return err;
  }
  assert.fail('send should have failed');
}

before(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  assert.deepEqual(pending, [], 'every intercepted request was made');
});
after(() => nock.enableNetConnect());

describe('whatsapp send (fetch, HTTP intercepted)', () => {
  it('posts a text message with the bearer token and returns the wamid', async () => {
    graph()
      .post(MESSAGES, { messaging_product: 'whatsapp', recipient_type: 'individual', to: '14155550123', type: 'text', text: { preview_url: false, body: msg.body } })
      .matchHeader('content-type', 'application/json')
      .reply(200, accepted());
    assert.deepEqual(await whatsapp.send!(msg, ctx), { providerMessageId: WAMID, senderAddress: PHONE_NUMBER_ID });
  });

  it('previews the phone number id a send leaves from (what the webhooks name as ours), without calling Meta', async () => {
    assert.deepEqual(await whatsapp.preview!(msg, ctx), { senderAddress: PHONE_NUMBER_ID });
  });

  it('posts a template outside the window and reports the accepted status when Meta gives one', async () => {
    graph()
      .post(MESSAGES, {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '14155550123',
        type: 'template',
        template: { name: 'visit_reminder', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'Tuesday' }] }] },
      })
      .reply(200, accepted(WAMID, { message_status: 'accepted' }));
    const sent = await whatsapp.send!({ ...msg, body: undefined, template: { id: 'visit_reminder', variables: { '1': 'Tuesday' } } }, ctx);
    assert.deepEqual(sent, { providerMessageId: WAMID, senderAddress: PHONE_NUMBER_ID, providerStatus: 'accepted', status: 'queued' });
  });

  it('posts media by link on the configured Graph API version', async () => {
    nock('https://graph.facebook.com')
      .post(`/v23.0/${PHONE_NUMBER_ID}/messages`, (b: Record<string, unknown>) => b.type === 'image' && (b.image as { link: string }).link === 'https://cdn.example.com/a.jpg')
      .reply(200, accepted());
    const sent = await whatsapp.send!({ ...msg, media: [{ url: 'https://cdn.example.com/a.jpg', contentType: 'image/jpeg' }] }, { ...ctx, config: { ...ctx.config, graphApiVersion: 'v23.0' } });
    assert.equal(sent.providerMessageId, WAMID);
  });

  it('131047 (re-engagement, 24 h window) → window_closed, permanent, code kept, Meta\'s text not kept', async () => {
    graph().post(MESSAGES).reply(400, graphError(131047, 'Re-engagement message to +14155550123'));
    const err = await sendError();
    assert.deepEqual([err.code, err.retryable, err.providerCode, err.httpStatus], ['window_closed', false, '131047', 400]);
    assert.equal(err.message, 'WhatsApp error 131047: Re-engagement message: more than 24 hours since the customer last wrote; use a template');
  });

  it('130429 → rate_limited, retryable, Retry-After honoured; 190 → auth_failed, permanent', async () => {
    graph().post(MESSAGES).reply(429, graphError(130429, '(#130429) Rate limit hit'), { 'Retry-After': '7' });
    const limited = await sendError();
    assert.deepEqual([limited.code, limited.retryable, limited.providerCode, limited.retryAfterMs], ['rate_limited', true, '130429', 7000]);
    graph().post(MESSAGES).reply(401, graphError(190, 'Error validating access token: Session has expired'));
    const expired = await sendError();
    assert.deepEqual([expired.code, expired.retryable, expired.providerCode], ['auth_failed', false, '190']);
  });

  it('131026 → unreachable; 131021 → invalid_recipient; 132001 → invalid_request', async () => {
    for (const [code, reason] of [[131026, 'unreachable'], [131021, 'invalid_recipient'], [132001, 'invalid_request']] as const) {
      graph().post(MESSAGES).reply(400, graphError(code, 'x'));
      const err = await sendError();
      assert.deepEqual([err.code, err.retryable, err.providerCode], [reason, false, String(code)]);
    }
  });

  it('unmapped codes and non-JSON answers fall back to the HTTP status', async () => {
    graph().post(MESSAGES).reply(400, graphError(999999, 'new error'));
    const other = await sendError();
    assert.deepEqual([other.code, other.retryable, other.providerCode, other.message], ['invalid_request', false, '999999', 'WhatsApp error 999999']);
    graph().post(MESSAGES).reply(502, '<html>Bad Gateway</html>', { 'Content-Type': 'text/html' });
    const down = await sendError();
    assert.deepEqual([down.code, down.retryable, down.providerCode, down.httpStatus], ['vendor_unavailable', true, undefined, 502]);
  });

  it('an answer without a message id is an error, not a silent success', async () => {
    graph().post(MESSAGES).reply(200, { messaging_product: 'whatsapp', contacts: [], messages: [] });
    const err = await sendError();
    assert.deepEqual([err.code, err.retryable], ['unknown', false]);
  });

  it('an unreachable network is vendor_unavailable and retryable; a message it cannot map is never sent', async () => {
    const err = await sendError();
    assert.deepEqual([err.code, err.retryable, err.providerCode], ['vendor_unavailable', true, undefined]);
    const unmappable = await sendError({ ...msg, body: '' });
    assert.equal(unmappable.code, 'invalid_request');
  });

  it('a caller abort stops the request (timeout, retryable)', async () => {
    graph().post(MESSAGES).delay(500).reply(200, accepted());
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const err = await sendError(msg, { ...ctx, signal: controller.signal } as typeof ctx);
    assert.deepEqual([err.code, err.retryable], ['timeout', true]);
  });
});

describe('whatsapp test (credentials check)', () => {
  const PHONE = `/v24.0/${PHONE_NUMBER_ID}`;

  it('reads the phone number: ok with its verified name', async () => {
    graph().get(PHONE).query({ fields: 'display_phone_number,verified_name,quality_rating' }).reply(200, { display_phone_number: '+1 555-078-3881', verified_name: 'Acme Property', quality_rating: 'GREEN', id: PHONE_NUMBER_ID });
    assert.deepEqual(await whatsapp.test!(ctx), { ok: true, message: 'Connected as Acme Property' });
  });

  it('a refused token → not ok, with a readable message', async () => {
    graph().get(PHONE).query(true).reply(401, graphError(190, 'Invalid OAuth access token'));
    assert.deepEqual(await whatsapp.test!(ctx), { ok: false, message: 'WhatsApp refused the access token' });
  });
});
