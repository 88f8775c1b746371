import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import nock from 'nock';
import { ConnectorError, type OutboundMessage } from '../kit/index.ts';
import sendgrid from './index.ts';
import type { SendGridConfig, SendGridSecrets } from './index.ts';
import { reply } from '../../test/nock-reply.ts';

/**
 * The real @sendgrid/mail SDK against SendGrid's documented HTTP answers, intercepted by nock:
 * success is 202 Accepted with an empty body and X-Message-Id; failures are
 * {errors: [{message, field, help}]}; rate limits answer 429 with X-RateLimit-* headers.
 */
const API_KEY = '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';
const config: SendGridConfig = { fromAddress: 'support@mail.acme-pm.com', fromName: 'Acme Property Management' };
const ctx = { config, secrets: { apiKey: API_KEY } as SendGridSecrets };
const api = (host = 'https://api.sendgrid.com') => nock(host);

/** Explicit Content-Length: nock 14 omits it and a keep-alive client would wait forever (see connectors/twilio/send.test.ts). */

const sgErrors = (...errors: Array<{ message: string; field: string | null; help?: string | null }>) => ({ errors });

const msg: OutboundMessage = {
  messageId: '0193a1b2-0000-7000-8000-00000000000a',
  channel: 'email',
  to: { kind: 'email', value: 'jane.tenant@example.com' },
  subject: 'Re: Plumber visit for unit 4B',
  body: 'The plumber comes tomorrow at 9.',
  email: { inReplyTo: '<CAHk7x2Lq9vW+3aQe1zZ@mail.example.com>', references: ['<0193a1b2-0000-7000-8000-000000000001@mail.acme-pm.com>'] },
};

async function sendError(message: OutboundMessage = msg, context = ctx): Promise<ConnectorError> {
  try {
    await sendgrid.send!(message, context);
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

describe('sendgrid send (real SDK, HTTP intercepted)', () => {
  it('posts the v3 mail with threading headers and custom args, and returns X-Message-Id and our Message-ID', async () => {
    api()
      .post('/v3/mail/send', (body: Record<string, unknown>) => {
        assert.deepEqual(body, {
          from: { email: 'support@mail.acme-pm.com', name: 'Acme Property Management' },
          subject: 'Re: Plumber visit for unit 4B',
          personalizations: [{ to: [{ email: 'jane.tenant@example.com' }] }],
          content: [{ type: 'text/plain', value: 'The plumber comes tomorrow at 9.' }],
          headers: {
            'Message-ID': '<0193a1b2-0000-7000-8000-00000000000a@mail.acme-pm.com>',
            'In-Reply-To': '<CAHk7x2Lq9vW+3aQe1zZ@mail.example.com>',
            References: '<0193a1b2-0000-7000-8000-000000000001@mail.acme-pm.com> <CAHk7x2Lq9vW+3aQe1zZ@mail.example.com>',
          },
          custom_args: { switchboard_message_id: '0193a1b2-0000-7000-8000-00000000000a' },
        });
        return true;
      })
      .matchHeader('authorization', `Bearer ${API_KEY}`)
      .reply(...reply(202, '', { 'X-Message-Id': 'W86EgYT6SQKk0lRflfLRsA' }));
    assert.deepEqual(await sendgrid.send!(msg, ctx), {
      providerMessageId: 'W86EgYT6SQKk0lRflfLRsA',
      status: 'queued',
      providerStatus: 'accepted',
      senderAddress: 'support@mail.acme-pm.com',
      email: { messageId: '<0193a1b2-0000-7000-8000-00000000000a@mail.acme-pm.com>' },
    });
  });

  it('previews the sender address and Message-ID a send would give, without calling SendGrid', async () => {
    assert.deepEqual(await sendgrid.preview!(msg, ctx), {
      senderAddress: 'support@mail.acme-pm.com',
      email: { messageId: '<0193a1b2-0000-7000-8000-00000000000a@mail.acme-pm.com>' },
    });
  });

  it('uses the EU host for EU data residency', async () => {
    api('https://api.eu.sendgrid.com').post('/v3/mail/send').reply(...reply(202, '', { 'X-Message-Id': 'EuMsg0000000000000000A' }));
    const result = await sendgrid.send!(msg, { ...ctx, config: { ...config, region: 'eu' } });
    assert.equal(result.providerMessageId, 'EuMsg0000000000000000A');
  });

  it('401 and 403 → auth_failed, permanent', async () => {
    api().post('/v3/mail/send').reply(...reply(401, sgErrors({ message: 'The provided authorization grant is invalid, expired, or revoked', field: null, help: null })));
    const unauthorized = await sendError();
    assert.deepEqual([unauthorized.code, unauthorized.retryable, unauthorized.httpStatus], ['auth_failed', false, 401]);
    api()
      .post('/v3/mail/send')
      .reply(...reply(403, sgErrors({ message: 'The from address does not match a verified Sender Identity.', field: 'from', help: 'https://sendgrid.com/docs/for-developers/sending-email/sender-identity/' })));
    const forbidden = await sendError();
    assert.deepEqual([forbidden.code, forbidden.retryable, forbidden.message], ['auth_failed', false, 'SendGrid answered HTTP 403 (from)']);
  });

  it('429 → rate_limited, retryable, waiting for Retry-After or else X-RateLimit-Reset', async () => {
    api().post('/v3/mail/send').reply(...reply(429, sgErrors({ message: 'too many requests', field: null }), { 'Retry-After': '7' }));
    const withRetryAfter = await sendError();
    assert.deepEqual([withRetryAfter.code, withRetryAfter.retryable, withRetryAfter.retryAfterMs], ['rate_limited', true, 7000]);
    const reset = Math.floor(Date.now() / 1000) + 40;
    api()
      .post('/v3/mail/send')
      .reply(...reply(429, sgErrors({ message: 'too many requests', field: null }), { 'X-RateLimit-Limit': '600', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(reset) }));
    const withReset = await sendError();
    assert.equal(withReset.code, 'rate_limited');
    assert.ok(withReset.retryAfterMs! > 35_000 && withReset.retryAfterMs! <= 40_000, String(withReset.retryAfterMs));
  });

  it('5xx → vendor_unavailable, retryable', async () => {
    api().post('/v3/mail/send').reply(...reply(503, sgErrors({ message: 'Service Unavailable', field: null })));
    const down = await sendError();
    assert.deepEqual([down.code, down.retryable, down.httpStatus], ['vendor_unavailable', true, 503]);
    api().post('/v3/mail/send').reply(...reply(500, ''));
    assert.equal((await sendError()).code, 'vendor_unavailable');
  });

  it('400 → invalid_recipient when only recipient fields are at fault, else invalid_request; addresses never quoted', async () => {
    api()
      .post('/v3/mail/send')
      .reply(...reply(400, sgErrors({ message: 'Does not contain a valid address.', field: 'personalizations.0.to.0.email', help: 'http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html#message.personalizations.to' })));
    const recipient = await sendError();
    assert.deepEqual([recipient.code, recipient.retryable, recipient.message], ['invalid_recipient', false, 'SendGrid answered HTTP 400 (personalizations.0.to.0.email)']);
    api()
      .post('/v3/mail/send')
      .reply(
        ...reply(
          400,
          sgErrors(
            { message: 'Each unique email address in the personalizations array should only be included once. You have included jane.tenant@example.com more than once.', field: 'personalizations.0.to', help: null },
            { message: 'The subject is required.', field: 'subject', help: null },
          ),
        ),
      );
    const other = await sendError();
    assert.deepEqual([other.code, other.retryable], ['invalid_request', false]);
    assert.equal(other.message, 'SendGrid answered HTTP 400 (personalizations.0.to, subject)');
    assert.doesNotMatch(JSON.stringify(other), /jane\.tenant/);
  });

  it('an unreachable network is vendor_unavailable and retryable; the API key never appears in the error', async () => {
    const err = await sendError();
    assert.deepEqual([err.code, err.retryable], ['vendor_unavailable', true]);
    assert.match(err.message, /^SendGrid unreachable: E[A-Z]+$/);
    assert.equal(err.cause, undefined);
    assert.doesNotMatch(JSON.stringify(err), /SG\.ngeV/);
  });

  it('refuses attachments before any request (permanent)', async () => {
    const err = await sendError({ ...msg, media: [{ url: 'https://cdn.example.com/invoice.pdf' }] });
    assert.deepEqual([err.code, err.retryable], ['invalid_request', false]);
  });
});

describe('sendgrid test (credentials check)', () => {
  it('GET /v3/scopes: mail.send present → ok; absent → not ok', async () => {
    api().get('/v3/scopes').matchHeader('authorization', `Bearer ${API_KEY}`).reply(...reply(200, { scopes: ['mail.send', 'user.profile.read'] }));
    assert.deepEqual(await sendgrid.test!(ctx), { ok: true });
    api().get('/v3/scopes').reply(...reply(200, { scopes: ['stats.read'] }));
    assert.deepEqual(await sendgrid.test!(ctx), { ok: false, message: 'The SendGrid API key lacks the mail.send scope' });
  });

  it('refused key → not ok, with a readable message', async () => {
    api().get('/v3/scopes').reply(...reply(401, sgErrors({ message: 'authorization required', field: null })));
    assert.deepEqual(await sendgrid.test!(ctx), { ok: false, message: 'SendGrid refused the API key' });
  });
});
