import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import nock from 'nock';
import { ConnectorError, type OutboundMessage } from '../kit/index.ts';
import twilio from './index.ts';
import { reply } from '../../test/nock-reply.ts';
import { twilioMessageResource } from '../../test/connections.ts';

/**
 * The real SDK against Twilio's documented HTTP answers, intercepted by nock: success is
 * 201 with the Message resource; failures are {code, message, more_info, status}.
 */
const ACCOUNT = 'AC3f5e0c7a9b2d4e6f8a1b3c5d7e9f1a2b';
const TOKEN = '5d4c3b2a19f8e7d6c5b4a39281706f5e';
const ctx = { config: { accountSid: ACCOUNT, fromNumbers: ['+14155550199'] }, secrets: { authToken: TOKEN } };
const MESSAGES = `/2010-04-01/Accounts/${ACCOUNT}/Messages.json`;
const api = () => nock('https://api.twilio.com');

/**
 * Replies carry an explicit Content-Length: nock 14 writes mocked bodies without one, and the SDK
 * sends Connection: keep-alive, so the client would wait for a socket close that never comes
 * (nock/nock#3001, fixed in @mswjs/interceptors 0.42 / nock 15).
 */

const msg: OutboundMessage = {
  messageId: '0193a1b2-0000-7000-8000-000000000001',
  channel: 'sms',
  to: { kind: 'phone', value: '+14155550123' },
  body: 'Your technician is on the way',
  media: [{ url: 'https://cdn.example.com/tech.jpg' }],
  statusCallbackUrl: 'https://sb.example.com/v1/receive/0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
};


const twilioError = (code: number, message: string, status: number) => ({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

async function sendError(): Promise<ConnectorError> {
  try {
    await twilio.send!(msg, ctx);
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

describe('twilio send (real SDK, HTTP intercepted)', () => {
  it('posts the mapped parameters with basic auth and returns the provider message id', async () => {
    const auth = `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`;
    api()
      .post(MESSAGES, (body: Record<string, string>) => {
        assert.deepEqual({ ...body }, {
          To: '+14155550123',
          From: '+14155550199',
          Body: 'Your technician is on the way',
          MediaUrl: 'https://cdn.example.com/tech.jpg',
          StatusCallback: msg.statusCallbackUrl,
        });
        return true;
      })
      .matchHeader('authorization', auth)
      .reply(...reply(201, twilioMessageResource('SM9f8e7d6c5b4a39281706f5e4d3c2b1a0', { body: msg.body, numMedia: 1 })));
    assert.deepEqual(await twilio.send!(msg, ctx), {
      providerMessageId: 'SM9f8e7d6c5b4a39281706f5e4d3c2b1a0',
      providerStatus: 'queued',
      status: 'queued',
      senderAddress: '+14155550199',
    });
  });

  it('previews the number a send leaves from without calling Twilio (none when a Messaging Service chooses)', async () => {
    // The network is closed and nothing is intercepted: any request would fail.
    assert.deepEqual(await twilio.preview!(msg, ctx), { senderAddress: '+14155550199' });
    assert.deepEqual(await twilio.preview!({ ...msg, from: { address: '+14155550177' } }, ctx), { senderAddress: '+14155550177' });
    assert.deepEqual(await twilio.preview!({ ...msg, channel: 'whatsapp', from: { address: 'whatsapp:+14155550177' } }, ctx), { senderAddress: '+14155550177' });
    const service = { ...ctx, config: { accountSid: ACCOUNT, messagingServiceSid: 'MG0123456789abcdef0123456789abcdef' } };
    assert.deepEqual(await twilio.preview!(msg, service), {});
  });

  it('21610 → recipient_opted_out, permanent, provider code kept', async () => {
    api().post(MESSAGES).reply(...reply(400, twilioError(21610, 'Attempt to send to unsubscribed recipient', 400)));
    const err = await sendError();
    assert.deepEqual([err.code, err.retryable, err.providerCode, err.httpStatus], ['recipient_opted_out', false, '21610', 400]);
    assert.equal(err.message, 'Twilio error 21610: Attempt to send to an unsubscribed recipient (replied STOP)');
  });

  it('429 (20429) → rate_limited, retryable, with Retry-After', async () => {
    api().post(MESSAGES).reply(...reply(429, twilioError(20429, 'Too Many Requests', 429), { 'Retry-After': '3' }));
    const err = await sendError();
    assert.deepEqual([err.code, err.retryable, err.providerCode, err.retryAfterMs], ['rate_limited', true, '20429', 3000]);
  });

  it('keeps Retry-After apart for concurrent sends on one cached client', async () => {
    api().post(MESSAGES, (b: Record<string, string>) => b.Body === 'one').delay(30).reply(...reply(429, twilioError(20429, 'Too Many Requests', 429), { 'Retry-After': '9' }));
    api().post(MESSAGES, (b: Record<string, string>) => b.Body === 'two').reply(...reply(429, twilioError(20429, 'Too Many Requests', 429), { 'Retry-After': '2' }));
    const [one, two] = await Promise.allSettled([twilio.send!({ ...msg, body: 'one' }, ctx), twilio.send!({ ...msg, body: 'two' }, ctx)]);
    assert.equal((one as PromiseRejectedResult).reason.retryAfterMs, 9000);
    assert.equal((two as PromiseRejectedResult).reason.retryAfterMs, 2000);
  });

  it('unmapped codes fall back to the HTTP status; 5xx is retryable, 401 is not', async () => {
    api().post(MESSAGES).reply(...reply(503, 'Service Unavailable', { 'content-type': 'text/plain' }));
    const down = await sendError();
    assert.deepEqual([down.code, down.retryable, down.httpStatus], ['vendor_unavailable', true, 503]);
    api().post(MESSAGES).reply(...reply(401, twilioError(20003, 'Authenticate', 401)));
    const auth = await sendError();
    assert.deepEqual([auth.code, auth.retryable, auth.providerCode], ['auth_failed', false, '20003']);
    api().post(MESSAGES).reply(...reply(400, twilioError(21999, "The 'To' number +14155550123 is not allowed", 400)));
    const other = await sendError();
    assert.deepEqual([other.code, other.retryable, other.providerCode], ['invalid_request', false, '21999']);
    assert.equal(other.message, 'Twilio error 21999', "Twilio's message (which may quote the number) is not kept");
  });

  it('an unreachable network is vendor_unavailable and retryable', async () => {
    // No interceptor + disableNetConnect: the SDK's socket fails with ENETUNREACH. (replyWithError
    // would hang until the SDK's 30 s timeout under nock 14 with keep-alive, nock/nock#2789.)
    const err = await sendError();
    assert.deepEqual([err.code, err.retryable, err.providerCode], ['vendor_unavailable', true, undefined]);
    assert.match(err.message, /^Twilio unreachable: ENETUNREACH$/);
  });
});

describe('twilio test (credentials check)', () => {
  const ACCOUNT_URL = `/2010-04-01/Accounts/${ACCOUNT}.json`;

  it('fetches the account: active → ok', async () => {
    api().get(ACCOUNT_URL).reply(...reply(200, { sid: ACCOUNT, status: 'active', friendly_name: 'Acme', type: 'Full' }));
    assert.deepEqual(await twilio.test!(ctx), { ok: true });
  });

  it('refused credentials → not ok, with a readable message', async () => {
    api().get(ACCOUNT_URL).reply(...reply(401, twilioError(20003, 'Authenticate', 401)));
    assert.deepEqual(await twilio.test!(ctx), { ok: false, message: 'Twilio refused the Account SID / Auth Token' });
  });
});
