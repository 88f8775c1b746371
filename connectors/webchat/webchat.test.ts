import assert from 'node:assert/strict';
import { describe, it, beforeAll, afterAll } from 'vitest';
import nock from 'nock';
import { ConnectorError, createRegistry, type OutboundMessage } from '../kit/index.ts';
import webchat from './index.ts';

const SECRET = 'whk_4f3e2d1c0b9a8f7e6d5c4b3a29181716';
const config = { allowedOrigins: ['https://app.example.com', 'http://localhost:3000', 'https://*.tenants.example.net'], requireUserHash: true };
const ctx = { config, secrets: { identitySecret: SECRET } };

describe('webchat connector definition', () => {
  it('is a channel connector for "chat" that receives through the API, not webhooks', () => {
    const registry = createRegistry();
    registry.register(webchat);
    assert.equal(registry.resolve('webchat', 1), webchat);
    assert.deepEqual([webchat.kind, webchat.receivesWebhooks, webchat.channels, webchat.verify], ['channel', false, ['chat'], undefined]);
    assert.deepEqual(webchat.capabilities, ['messaging.send', 'messaging.receive', 'messaging.media']);
  });

  it('validates origins (no path, no wildcard in the middle) and a long enough identity secret', () => {
    assert.deepEqual(webchat.validateConfig(config), []);
    assert.deepEqual(webchat.validateConfig({ allowedOrigins: ['https://app.example.com/chat', 'https://a.*.example.com', 'app.example.com'] }), [
      'config/allowedOrigins/0: must match pattern "^https?://(\\*\\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?$"',
      'config/allowedOrigins/1: must match pattern "^https?://(\\*\\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?$"',
      'config/allowedOrigins/2: must match pattern "^https?://(\\*\\.)?[A-Za-z0-9.-]+(:[0-9]{1,5})?$"',
    ]);
    assert.deepEqual(webchat.validateConfig({ allowedOrigins: [] }), ['config/allowedOrigins: must NOT have fewer than 1 items']);
    assert.deepEqual(webchat.validateSecrets({ identitySecret: 'short' }), ['secrets/identitySecret: must NOT have fewer than 32 characters']);
  });
});

describe('webchat send (no provider)', () => {
  beforeAll(() => nock.disableNetConnect());
  afterAll(() => nock.enableNetConnect());
  const msg: OutboundMessage = { messageId: '0193a1b2-0000-7000-8000-0000000000aa', channel: 'chat', to: { kind: 'app_user', value: 'user_8421' }, body: 'Hi, how can we help?' };

  it('confirms delivery with an id derived from ours, without any network call', async () => {
    assert.deepEqual(await webchat.send!(msg, ctx), { providerMessageId: 'webchat:0193a1b2-0000-7000-8000-0000000000aa', status: 'delivered', providerStatus: 'delivered' });
    assert.deepEqual(await webchat.send!({ ...msg, body: undefined, media: [{ url: 'https://cdn.example.com/a.png' }] }, ctx), {
      providerMessageId: 'webchat:0193a1b2-0000-7000-8000-0000000000aa',
      status: 'delivered',
      providerStatus: 'delivered',
    });
  });

  it('refuses, permanently, a message with nothing to show', async () => {
    await assert.rejects(webchat.send!({ ...msg, body: '' }, ctx), (err: unknown) => ConnectorError.is(err) && err.code === 'invalid_request' && !err.retryable);
  });
});
