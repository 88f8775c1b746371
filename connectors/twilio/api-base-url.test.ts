import assert from 'node:assert/strict';
import { afterAll, afterEach, beforeAll, describe, it } from 'vitest';
import nock from 'nock';
import twilio from './index.ts';
import { setTwilioApiBaseUrl } from './client.ts';
import { loadConfig } from '../../core/config.ts';
import { reply } from '../../test/nock-reply.ts';
import { twilioMessageResource } from '../../test/connections.ts';

/**
 * TWILIO_API_BASE_URL (benchmarks and tests against a local server that answers like Twilio): the
 * SDK builds the same request, only its origin changes; without it the SDK calls api.twilio.com.
 * The operator sets it (never a connection's config), and a production process refuses it.
 */
const ACCOUNT = 'AC3f5e0c7a9b2d4e6f8a1b3c5d7e9f1a2b';
const ctx = { config: { accountSid: ACCOUNT, fromNumbers: ['+14155550199'] }, secrets: { authToken: '5d4c3b2a19f8e7d6c5b4a39281706f5e' } };
const msg = { messageId: '0193a1b2-0000-7000-8000-000000000009', channel: 'sms', to: { kind: 'phone', value: '+14155550123' }, body: 'On the way', statusCallbackUrl: 'https://sb.example.com/v1/receive/x' };
const MESSAGES = `/2010-04-01/Accounts/${ACCOUNT}/Messages.json`;
const SID = 'SM0a0b0c0d0e0f0a1b2c3d4e5f6a7b8c9d';

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  setTwilioApiBaseUrl(undefined);
  const pending = nock.pendingMocks();
  nock.cleanAll();
  assert.deepEqual(pending, [], 'every intercepted request was made');
});
afterAll(() => nock.enableNetConnect());

describe('TWILIO_API_BASE_URL', () => {
  it('sends the SDK request, path, form and basic auth unchanged, to the configured origin (its path prefix kept)', async () => {
    setTwilioApiBaseUrl('http://fake-twilio.test:8080/prefix/');
    const auth = `Basic ${Buffer.from(`${ACCOUNT}:${ctx.secrets.authToken}`).toString('base64')}`;
    nock('http://fake-twilio.test:8080', { reqheaders: { authorization: auth } })
      .post(`/prefix${MESSAGES}`, { To: '+14155550123', From: '+14155550199', Body: 'On the way', StatusCallback: msg.statusCallbackUrl })
      .reply(...reply(201, twilioMessageResource(SID)));
    const sent = await twilio.send!(msg, ctx);
    assert.equal(sent.providerMessageId, SID);
  });

  it('unset: the SDK calls api.twilio.com', async () => {
    nock('https://api.twilio.com').post(MESSAGES).reply(...reply(201, twilioMessageResource(SID)));
    assert.equal((await twilio.send!(msg, ctx)).providerMessageId, SID);
  });

  it('is read from the environment, and refused when NODE_ENV=production', () => {
    assert.equal(loadConfig({ TWILIO_API_BASE_URL: 'http://127.0.0.1:4010' }).twilioApiBaseUrl, 'http://127.0.0.1:4010');
    assert.equal(loadConfig({}).twilioApiBaseUrl, undefined);
    const key = Buffer.alloc(32, 1).toString('base64');
    assert.throws(
      () => loadConfig({ TWILIO_API_BASE_URL: 'http://127.0.0.1:4010', NODE_ENV: 'production', SWITCHBOARD_MASTER_KEY: key }),
      (err: Error & { code?: string }) => err.code === 'config_invalid' && /TWILIO_API_BASE_URL .*refused when NODE_ENV=production/.test(err.message),
    );
    assert.throws(() => loadConfig({ TWILIO_API_BASE_URL: 'ftp://x' }), /TWILIO_API_BASE_URL must use http: or https:/);
  });
});
