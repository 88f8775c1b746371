import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import nock from 'nock';
import { ConnectorError, type OutboundMessage } from '../kit/index.ts';
import sinch from './index.ts';
import type { SinchConfig, SinchSecrets } from './index.ts';
import { reply } from '../../test/nock-reply.ts';

/**
 * The real Sinch SDK (@sinch/sdk-core) against the SMS REST API's documented answers, intercepted
 * by nock: success is 201 with the batch; failures are {code, text}. Mirrors
 * connectors/twilio/send.test.ts case for case.
 */
const PLAN = '8f2b9c4d1e7a4b6c9d0e3f5a7b1c2d4e';
const TOKEN = 'b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1';
const config: SinchConfig = { servicePlanId: PLAN, region: 'us', fromNumbers: ['+14155550199'] };
const ctx = { config, secrets: { apiToken: TOKEN, webhookSecret: 'kS9dX2mQ7vR4tL8p' } as SinchSecrets };
const BATCHES = `/xms/v1/${PLAN}/batches`;
const api = (region = 'us') => nock(`https://${region}.sms.api.sinch.com`);

/** Explicit Content-Length, as in connectors/twilio/send.test.ts (nock 14 + keep-alive clients). */

const msg: OutboundMessage = {
  messageId: '0193a1b2-0000-7000-8000-000000000001',
  channel: 'sms',
  to: { kind: 'phone', value: '+14155550123' },
  body: 'Your technician is on the way',
  statusCallbackUrl: 'https://sb.example.com/v1/receive/0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
};

/** The documented 201 answer of "Send": the batch as created. */
const created = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  to: ['14155550123'],
  from: '14155550199',
  canceled: false,
  body: msg.body,
  type: 'mt_text',
  created_at: '2026-11-27T14:32:01.212Z',
  modified_at: '2026-11-27T14:32:01.212Z',
  delivery_report: 'per_recipient',
  expire_at: '2026-11-30T14:32:01.212Z',
  callback_url: msg.statusCallbackUrl,
  client_reference: msg.messageId,
  flash_message: false,
  ...extra,
});

const sinchError = (code: string, text: string) => ({ code, text });

async function sendError(message: OutboundMessage = msg): Promise<ConnectorError> {
  try {
    await sinch.send!(message, ctx);
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

describe('sinch send (real SDK, HTTP intercepted)', () => {
  it('posts the mapped batch with the API token and returns the batch id', async () => {
    api()
      .post(BATCHES, (body: Record<string, unknown>) => {
        assert.deepEqual(body, {
          to: ['+14155550123'],
          from: '+14155550199',
          delivery_report: 'per_recipient',
          callback_url: msg.statusCallbackUrl,
          client_reference: msg.messageId,
          type: 'mt_text',
          body: 'Your technician is on the way',
        });
        return true;
      })
      .matchHeader('authorization', `Bearer ${TOKEN}`)
      .reply(...reply(201, created('01JDQ5H7K2M3N4P5Q6R7S8T9V0')));
    assert.deepEqual(await sinch.send!(msg, ctx), {
      providerMessageId: '01JDQ5H7K2M3N4P5Q6R7S8T9V0',
      providerStatus: 'Queued',
      status: 'queued',
      senderAddress: '+14155550199',
    });
  });

  it('previews the originator a send would use, without calling Sinch', async () => {
    assert.deepEqual(await sinch.preview!(msg, ctx), { senderAddress: '+14155550199' });
    assert.deepEqual(await sinch.preview!(msg, { ...ctx, config: { servicePlanId: PLAN, region: 'us' } }), {});
  });

  it('sends an MMS (one media item) and uses the region of the service plan', async () => {
    api('eu')
      .post(BATCHES, (body: Record<string, unknown>) => body.type === 'mt_media' && (body.body as Record<string, string>).url === 'https://cdn.example.com/tech.jpg')
      .reply(...reply(201, created('01JDQ7EU0000000000000000MM', { type: 'mt_media' })));
    const result = await sinch.send!({ ...msg, media: [{ url: 'https://cdn.example.com/tech.jpg' }] }, { ...ctx, config: { ...config, region: 'eu' } });
    assert.equal(result.providerMessageId, '01JDQ7EU0000000000000000MM');
  });

  it('syntax_invalid_parameter_format → invalid_request, permanent, provider code kept, Sinch text not kept', async () => {
    api().post(BATCHES).reply(...reply(400, sinchError('syntax_invalid_parameter_format', 'Invalid value for field "to": +14155550123')));
    const err = await sendError();
    assert.deepEqual([err.code, err.retryable, err.providerCode, err.httpStatus], ['invalid_request', false, 'syntax_invalid_parameter_format', 400]);
    assert.equal(err.message, 'Sinch error syntax_invalid_parameter_format: A parameter has an invalid format (e.g. a malformed number)');
    assert.doesNotMatch(JSON.stringify(err), /4155550123/);
  });

  it('429 → rate_limited, retryable, with Retry-After', async () => {
    api().post(BATCHES).reply(...reply(429, sinchError('too_many_requests', 'Too many requests'), { 'Retry-After': '3' }));
    const err = await sendError();
    assert.deepEqual([err.code, err.retryable, err.retryAfterMs], ['rate_limited', true, 3000]);
  });

  it('keeps Retry-After apart for concurrent sends on one cached client', async () => {
    api().post(BATCHES, (b: Record<string, unknown>) => b.body === 'one').delay(30).reply(...reply(429, sinchError('too_many_requests', 'x'), { 'Retry-After': '9' }));
    api().post(BATCHES, (b: Record<string, unknown>) => b.body === 'two').reply(...reply(429, sinchError('too_many_requests', 'x'), { 'Retry-After': '2' }));
    const [one, two] = await Promise.allSettled([sinch.send!({ ...msg, body: 'one' }, ctx), sinch.send!({ ...msg, body: 'two' }, ctx)]);
    assert.equal((one as PromiseRejectedResult).reason.retryAfterMs, 9000);
    assert.equal((two as PromiseRejectedResult).reason.retryAfterMs, 2000);
  });

  it('unmapped codes fall back to the HTTP status; 5xx is retryable, 401 and a blocked account are not', async () => {
    api().post(BATCHES).reply(...reply(503, 'Service Unavailable'));
    const down = await sendError();
    assert.deepEqual([down.code, down.retryable, down.httpStatus], ['vendor_unavailable', true, 503]);
    api().post(BATCHES).reply(...reply(401, ''));
    const auth = await sendError();
    assert.deepEqual([auth.code, auth.retryable, auth.httpStatus], ['auth_failed', false, 401]);
    api().post(BATCHES).reply(...reply(403, sinchError('blocked_account', 'Account is blocked')));
    const blocked = await sendError();
    assert.deepEqual([blocked.code, blocked.retryable, blocked.providerCode], ['auth_failed', false, 'blocked_account']);
    api().post(BATCHES).reply(...reply(400, sinchError('some_new_code', 'New validation on +14155550123')));
    const other = await sendError();
    assert.deepEqual([other.code, other.retryable, other.providerCode], ['invalid_request', false, 'some_new_code']);
    assert.equal(other.message, 'Sinch error some_new_code', "Sinch's text (which may quote the number) is not kept");
  });

  it('an unreachable network is vendor_unavailable and retryable; the service plan URL is not in the error', async () => {
    const err = await sendError();
    assert.deepEqual([err.code, err.retryable, err.providerCode], ['vendor_unavailable', true, undefined]);
    assert.equal(err.message, 'Sinch unreachable');
    assert.doesNotMatch(JSON.stringify(err), new RegExp(PLAN));
  });
});

describe('sinch test (credentials check)', () => {
  it('lists one batch: 200 → ok', async () => {
    api().get(BATCHES).query({ page_size: '1' }).reply(...reply(200, { count: 0, page: 0, page_size: 1, batches: [] }));
    assert.deepEqual(await sinch.test!(ctx), { ok: true });
  });

  it('refused credentials → not ok, with a readable message', async () => {
    api().get(BATCHES).query(true).reply(...reply(401, ''));
    assert.deepEqual(await sinch.test!(ctx), { ok: false, message: 'Sinch refused the service plan id / API token (or the region is wrong)' });
  });
});
