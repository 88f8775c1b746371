import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'vitest';
import twilio from 'twilio';
import {
  generateWebhookSecret,
  hmacBase64,
  hmacHex,
  safeEqual,
  signHubSpotV3,
  signMeta,
  signStandardWebhook,
  signStripe,
  signTwilioRequest,
  twilioSignature,
  verifyHubSpotV3,
  verifyMetaSignature,
  verifyStandardWebhook,
  verifyStripeSignature,
  verifyTwilioSignature,
} from './index.ts';

const FORM = 'application/x-www-form-urlencoded';
const TOKEN = '9f8e7d6c5b4a39281706f5e4d3c2b1a0';

describe('hmac helpers', () => {
  it('hmacHex / hmacBase64 match the RFC 4231 test case 2 vector', () => {
    const hex = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
    assert.equal(hmacHex('sha256', 'Jefe', 'what do ya want for nothing?'), hex);
    assert.equal(hmacBase64('sha256', 'Jefe', ['what do ya ', Buffer.from('want for nothing?')]), Buffer.from(hex, 'hex').toString('base64'));
  });

  it('safeEqual compares lengths first instead of throwing', () => {
    assert.equal(safeEqual('abc', 'abc'), true);
    assert.equal(safeEqual('abc', 'abd'), false);
    assert.equal(safeEqual('abc', 'abcd'), false);
  });
});

describe('Twilio X-Twilio-Signature (checked against the official SDK)', () => {
  const params = { MessageSid: 'SM123', Body: 'Hi & bye +1', From: '+14155550123', To: '+14155550199', NumMedia: '0' };
  const body = Buffer.from(new URLSearchParams(params).toString());
  const urls = [
    'https://sb.example.com/v1/receive/abc?x=1&y=two',
    'https://sb.example.com:443/v1/receive/abc',
    'https://sb.example.com/v1/receive/abc',
    'http://localhost:3000/v1/receive/abc?q=it%27s',
    "https://sb.example.com/v1/receive/abc?q=it's",
  ];

  for (const url of urls) {
    it(`computes the SDK's signature and verifies what the SDK accepts: ${url}`, () => {
      const sdkSig = twilio.getExpectedTwilioSignature(TOKEN, url, params);
      assert.equal(twilioSignature(TOKEN, url, params), sdkSig);
      assert.deepEqual(verifyTwilioSignature({ authToken: TOKEN, signature: sdkSig, url, body, contentType: FORM }), { ok: true });
      const ours = signTwilioRequest({ authToken: TOKEN, url, body, contentType: `${FORM}; charset=utf-8` });
      assert.equal(twilio.validateRequest(TOKEN, ours, url, params), true);
    });
  }

  it('accepts the URL with or without the default port, as the SDK does', () => {
    const signedWithPort = twilio.getExpectedTwilioSignature(TOKEN, 'https://sb.example.com:443/hook', params);
    assert.equal(twilio.validateRequest(TOKEN, signedWithPort, 'https://sb.example.com/hook', params), true);
    assert.deepEqual(verifyTwilioSignature({ authToken: TOKEN, signature: signedWithPort, url: 'https://sb.example.com/hook', body, contentType: FORM }), { ok: true });
  });

  it('signs repeated keys like the SDK (distinct values, sorted)', () => {
    const repeated = Buffer.from('b=2&a=z&a=y&a=z');
    const sdk = twilio.getExpectedTwilioSignature(TOKEN, 'https://h/x', { b: '2', a: ['z', 'y', 'z'] });
    assert.deepEqual(verifyTwilioSignature({ authToken: TOKEN, signature: sdk, url: 'https://h/x', body: repeated, contentType: FORM }), { ok: true });
  });

  it('refuses a tampered body, a wrong token, a different URL, a missing header', () => {
    const url = urls[0]!;
    const sig = twilio.getExpectedTwilioSignature(TOKEN, url, params);
    const tampered = Buffer.from(body.toString().replace('Hi', 'Ho'));
    assert.deepEqual(verifyTwilioSignature({ authToken: TOKEN, signature: sig, url, body: tampered, contentType: FORM }), { ok: false, reason: 'bad_signature' });
    assert.equal(twilio.validateRequest(TOKEN, sig, url, Object.fromEntries(new URLSearchParams(tampered.toString()))), false);
    assert.equal(verifyTwilioSignature({ authToken: 'x'.repeat(32), signature: sig, url, body, contentType: FORM }).ok, false);
    assert.equal(verifyTwilioSignature({ authToken: TOKEN, signature: sig, url: url + '&z=1', body, contentType: FORM }).ok, false);
    assert.deepEqual(verifyTwilioSignature({ authToken: TOKEN, signature: undefined, url, body, contentType: FORM }), { ok: false, reason: 'missing_signature' });
    assert.deepEqual(verifyTwilioSignature({ authToken: '', signature: sig, url, body, contentType: FORM }), { ok: false, reason: 'missing_secret' });
  });

  it('JSON bodies: the URL carries bodySHA256 and the body must hash to it (SDK validateRequestWithBody)', () => {
    const json = '{"EventType":"onMessageAdded","Body":"hé"}';
    const hash = createHash('sha256').update(json).digest('hex');
    const url = `https://sb.example.com/hook?bodySHA256=${hash}`;
    const sig = twilio.getExpectedTwilioSignature(TOKEN, url, {});
    assert.equal(twilio.validateRequestWithBody(TOKEN, sig, url, json), true);
    const ok = verifyTwilioSignature({ authToken: TOKEN, signature: sig, url, body: Buffer.from(json), contentType: 'application/json' });
    assert.deepEqual(ok, { ok: true });
    const bad = verifyTwilioSignature({ authToken: TOKEN, signature: sig, url, body: Buffer.from(json.replace('hé', 'he')), contentType: 'application/json' });
    assert.deepEqual(bad, { ok: false, reason: 'bad_signature' });
  });
});

describe('Meta X-Hub-Signature-256', () => {
  const secret = 'meta-app-secret-7f3a';
  // Meta signs the bytes it sends, with non-ASCII escaped as \u00e9; the vector was computed with openssl.
  const raw = Buffer.from(
    '{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","messages":[{"from":"16315551181","id":"wamid.ABGGFlA5Fpa","timestamp":"1504902988","type":"text","text":{"body":"caf\\u00e9"}}]},"field":"messages"}]}]}',
  );
  const header = 'sha256=b4e864cd56a249c7064b123d75d30f6fa1ec2d42a2e8e917b2c055b1bab01563';

  it('verifies the known-good vector over the raw bytes', () => {
    assert.deepEqual(verifyMetaSignature({ appSecret: secret, signature: header, body: raw }), { ok: true });
    assert.equal(signMeta(secret, raw), header);
  });

  it('refuses the same payload re-serialized, tampered, or with a malformed header', () => {
    const reserialized = Buffer.from(JSON.stringify(JSON.parse(raw.toString())));
    assert.deepEqual(verifyMetaSignature({ appSecret: secret, signature: header, body: reserialized }), { ok: false, reason: 'bad_signature' });
    assert.equal(verifyMetaSignature({ appSecret: secret, signature: header, body: Buffer.from(raw.toString().replace('1504902988', '1504902989')) }).ok, false);
    assert.deepEqual(verifyMetaSignature({ appSecret: secret, signature: 'sha1=abc', body: raw }), { ok: false, reason: 'malformed' });
  });
});

describe('Stripe-Signature', () => {
  const secret = 'whsec_test_5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH';
  const body = Buffer.from('{"id":"evt_1NXkR2LkdIwHu7ix","object":"event","type":"payment_intent.succeeded"}');
  const v1 = 'bd165f56b12d4434290bb9631c26329b71746fffd4c33f351a6441654c22e436'; // openssl over "1700000000.<body>"
  const now = 1_700_000_000_000 + 60_000;

  it('verifies the known-good vector, with several v1 (secret rolling) and a v0', () => {
    assert.equal(signStripe(secret, body, 1_700_000_000), `t=1700000000,v1=${v1}`);
    assert.deepEqual(verifyStripeSignature({ secret, header: `t=1700000000,v1=${v1}`, body, now }), { ok: true });
    const rolled = `t=1700000000,v1=${'0'.repeat(64)},v1=${v1},v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39`;
    assert.deepEqual(verifyStripeSignature({ secret, header: rolled, body, now }), { ok: true });
  });

  it('refuses a tampered body, a stale timestamp (> 300 s), and a header without v1', () => {
    const header = `t=1700000000,v1=${v1}`;
    assert.deepEqual(verifyStripeSignature({ secret, header, body: Buffer.from(body.toString() + ' '), now }), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(verifyStripeSignature({ secret, header, body, now: 1_700_000_000_000 + 301_000 }), { ok: false, reason: 'stale' });
    assert.deepEqual(verifyStripeSignature({ secret, header, body, now: 1_700_000_000_000 + 300_000 }), { ok: true });
    assert.deepEqual(verifyStripeSignature({ secret, header: 't=1700000000', body, now }), { ok: false, reason: 'malformed' });
  });
});

describe('HubSpot X-HubSpot-Signature-v3', () => {
  const clientSecret = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
  const body = Buffer.from(
    '[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","objectId":123}]',
  );
  // openssl over "POST" + URI (with %3A decoded to ":") + body + timestamp
  const signature = 'ywXmznVeCCkJ7p82PVKvFpPOZ9C6BsPoKed518elk0o=';
  const url = 'https://example.com/hubspot/webhook?portal=62515&name=a%3Ab';
  const base = { clientSecret, signature, timestamp: '1700000000000', method: 'POST', url, body };

  it('verifies the known-good vector (URI escapes decoded as HubSpot specifies)', () => {
    assert.deepEqual(verifyHubSpotV3({ ...base, now: 1_700_000_060_000 }), { ok: true });
    assert.equal(signHubSpotV3(clientSecret, 'post', url, body, 1_700_000_000_000), signature);
  });

  it('refuses a tampered body, another method, and a request older than 5 minutes', () => {
    assert.equal(verifyHubSpotV3({ ...base, body: Buffer.from('[]'), now: 1_700_000_060_000 }).ok, false);
    assert.equal(verifyHubSpotV3({ ...base, method: 'PUT', now: 1_700_000_060_000 }).ok, false);
    assert.deepEqual(verifyHubSpotV3({ ...base, now: 1_700_000_000_000 + 5 * 60_000 + 1 }), { ok: false, reason: 'stale' });
  });
});

describe('Standard Webhooks', () => {
  // The published specification test vector.
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
  const body = Buffer.from('{"test": 2432232314}');
  const sig = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';
  const now = 1_614_265_330_000;

  it('reproduces and verifies the specification vector, among several signatures', () => {
    assert.equal(signStandardWebhook(secret, id, 1_614_265_330, body), sig);
    assert.deepEqual(verifyStandardWebhook({ secret, id, timestamp: '1614265330', signature: sig, body, now }), { ok: true });
    assert.deepEqual(verifyStandardWebhook({ secret, id, timestamp: '1614265330', signature: `v1,bm9wZQ== v2,xyz ${sig}`, body, now }), { ok: true });
  });

  it('refuses a tampered body, another id, stale and far-future timestamps', () => {
    const base = { secret, id, timestamp: '1614265330', signature: sig, body, now };
    assert.deepEqual(verifyStandardWebhook({ ...base, body: Buffer.from('{"test": 2432232315}') }), { ok: false, reason: 'bad_signature' });
    assert.equal(verifyStandardWebhook({ ...base, id: 'msg_other' }).ok, false);
    assert.deepEqual(verifyStandardWebhook({ ...base, now: now + 301_000 }), { ok: false, reason: 'stale' });
    assert.deepEqual(verifyStandardWebhook({ ...base, now: now - 301_000 }), { ok: false, reason: 'stale' });
  });

  it('generates whsec_ secrets that round-trip', () => {
    const fresh = generateWebhookSecret();
    assert.match(fresh, /^whsec_[A-Za-z0-9+/]+=*$/);
    const s = signStandardWebhook(fresh, 'msg_1', 1_000, '{}');
    assert.deepEqual(verifyStandardWebhook({ secret: fresh, id: 'msg_1', timestamp: '1000', signature: s, body: Buffer.from('{}'), now: 1_000_000 }), { ok: true });
  });
});
