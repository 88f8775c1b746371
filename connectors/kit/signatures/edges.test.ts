import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'vitest';
import twilio from 'twilio';
import {
  generateWebhookSecret,
  hubspotUri,
  safeEqual,
  safeEqualAny,
  signHubSpotV3,
  signMeta,
  signStandardWebhook,
  signStripe,
  signTwilioRequest,
  twilioAlgorithm,
  twilioSignature,
  twilioUrlCandidates,
  verifyHubSpotV3,
  verifyMetaSignature,
  verifyStandardWebhook,
  verifyStripeSignature,
  verifyTwilioSignature,
  webhookSecretKey,
  withinWindow,
} from './index.ts';
import { verifyBearerToken } from './bearer.ts';

/**
 * The edges of each provider's documented signature format (../shared/PROVIDERS.md, the providers'
 * own docs and SDKs): header syntax variations a provider or a proxy produces, the exact bounds of
 * replay windows, algorithm selection, and secret formats. signatures.test.ts has the known-good
 * vectors; these pin the parsing around them.
 */
const FORM = 'application/x-www-form-urlencoded';
const TOKEN = '9f8e7d6c5b4a39281706f5e4d3c2b1a0';

describe('hmac helpers at their edges', () => {
  it('safeEqual takes buffers and strings alike', () => {
    assert.equal(safeEqual(Buffer.from('abc'), 'abc'), true);
    assert.equal(safeEqual('abc', Buffer.from('abd')), false);
    assert.equal(safeEqual('', ''), true);
  });

  it('safeEqualAny: any candidate matching is enough, wherever it is in the list; none or no candidates is false', () => {
    assert.equal(safeEqualAny(['x', 'abc', 'y'], 'abc'), true);
    assert.equal(safeEqualAny(['abc', 'x'], 'abc'), true);
    assert.equal(safeEqualAny(['x', 'abc'], 'abc'), true);
    assert.equal(safeEqualAny(['x', 'y'], 'abc'), false);
    assert.equal(safeEqualAny([], 'abc'), false);
  });

  it('withinWindow: inclusive bound both ways, a non-number is never within', () => {
    assert.equal(withinWindow(1_000, 1_300, 300), true);
    assert.equal(withinWindow(1_000, 1_301, 300), false);
    assert.equal(withinWindow(1_300, 1_000, 300), true);
    assert.equal(withinWindow(1_301, 1_000, 300), false);
    assert.equal(withinWindow(Number.NaN, 1_000, 300), false);
    assert.equal(withinWindow(Number.POSITIVE_INFINITY, 1_000, Number.POSITIVE_INFINITY), false);
  });
});

describe('Twilio: algorithm, URL variants, body hashes', () => {
  const params = { MessageSid: 'SM123', Body: 'Hi', From: '+14155550123' };
  const body = Buffer.from(new URLSearchParams(params).toString());

  it('X-Twilio-Webhooks-Signature-Settings names the algorithm as the SDK reads it; SHA-1 without one', () => {
    assert.equal(twilioAlgorithm(undefined), 'sha1');
    assert.equal(twilioAlgorithm(''), 'sha1');
    assert.equal(twilioAlgorithm('key=webhooks_sharedkey_1'), 'sha1');
    assert.equal(twilioAlgorithm('key=webhooks_sharedkey_1,algorithm=HMAC_SHA256'), 'sha256');
    assert.equal(twilioAlgorithm(' algorithm = hmac_sha256 , key=k'), 'sha256');
    assert.equal(twilioAlgorithm('algorithm=HMAC_SHA1'), 'sha1');
    assert.equal(twilioAlgorithm('algorithm=,key=k'), 'sha1');
    // A named algorithm we do not support is not silently SHA-1.
    assert.equal(twilioAlgorithm('algorithm=HMAC_SHA512'), undefined);
    for (const h of ['key=k,algorithm=HMAC_SHA256', 'algorithm=HMAC_SHA1', 'key=k']) {
      assert.equal(twilioAlgorithm(h) === 'sha256' ? 'HMAC_SHA256' : 'HMAC_SHA1', String(twilio.getSignatureAlgorithm(h) ?? 'HMAC_SHA1').toUpperCase());
    }
  });

  it('HMAC-SHA256 signatures match the SDK and verify only with the algorithm they were made with', () => {
    const url = 'https://sb.example.com/v1/receive/abc';
    const sdk = twilio.getExpectedTwilioSignature(TOKEN, url, params, 'HMAC_SHA256');
    assert.equal(twilioSignature(TOKEN, url, params, 'sha256'), sdk);
    assert.deepEqual(verifyTwilioSignature({ authToken: TOKEN, signature: sdk, url, body, contentType: FORM, algorithm: 'sha256' }), { ok: true });
    assert.deepEqual(verifyTwilioSignature({ authToken: TOKEN, signature: sdk, url, body, contentType: FORM }), { ok: false, reason: 'bad_signature' });
    assert.equal(signTwilioRequest({ authToken: TOKEN, url, body, contentType: FORM, algorithm: 'sha256' }), sdk);
  });

  it('the URL candidates: as received without and with the default port, then normalized ± legacy query encoding', () => {
    assert.deepEqual(twilioUrlCandidates('https://sb.example.com/hook'), ['https://sb.example.com/hook', 'https://sb.example.com:443/hook']);
    assert.deepEqual(twilioUrlCandidates('http://sb.example.com:80/hook'), ['http://sb.example.com/hook', 'http://sb.example.com:80/hook']);
    assert.deepEqual(twilioUrlCandidates('http://localhost:3000/hook'), ['http://localhost/hook', 'http://localhost:3000/hook']);
    // User info and IPv6 literals: the port goes after the host, not after a colon inside them.
    assert.deepEqual(twilioUrlCandidates('https://u:p@sb.example.com/hook'), ['https://u:p@sb.example.com/hook', 'https://u:p@sb.example.com:443/hook']);
    assert.deepEqual(twilioUrlCandidates('http://[::1]/hook'), ['http://[::1]/hook', 'http://[::1]:80/hook']);
    assert.deepEqual(twilioUrlCandidates('http://[::1]:8080/hook'), ['http://[::1]/hook', 'http://[::1]:8080/hook']);
    // Normalization (WHATWG) and the legacy querystring encoding of the query add variants.
    assert.deepEqual(twilioUrlCandidates("https://sb.example.com/a b?q=it's"), [
      "https://sb.example.com/a b?q=it's",
      "https://sb.example.com:443/a b?q=it's",
      'https://sb.example.com/a%20b?q=it%27s',
      'https://sb.example.com:443/a%20b?q=it%27s',
      "https://sb.example.com/a%20b?q=it's",
      "https://sb.example.com:443/a%20b?q=it's",
    ]);
    assert.deepEqual(twilioUrlCandidates('https://sb.example.com/hook?'), ['https://sb.example.com/hook?', 'https://sb.example.com:443/hook?']);
    // Not a URL: left as it is, once, even when a URL appears inside it.
    assert.deepEqual(twilioUrlCandidates('/relative/hook'), ['/relative/hook']);
    assert.deepEqual(twilioUrlCandidates('/r?u=https://h.example/x'), ['/r?u=https://h.example/x']);
    // The unspecified IPv6 address: its colons are not a port.
    assert.deepEqual(twilioUrlCandidates('http://[::]/hook'), ['http://[::]/hook', 'http://[::]:80/hook']);
  });

  it('a request the SDK validates through a normalized URL variant verifies here too', () => {
    const signedAs = 'https://sb.example.com/a%20b?q=it%27s';
    const sig = twilio.getExpectedTwilioSignature(TOKEN, signedAs, params);
    const received = "https://sb.example.com/a b?q=it's";
    assert.equal(twilio.validateRequest(TOKEN, sig, received, params), true);
    assert.deepEqual(verifyTwilioSignature({ authToken: TOKEN, signature: sig, url: received, body, contentType: FORM }), { ok: true });
  });

  it('a body that is not a form needs bodySHA256 in the URL; an empty one does not', () => {
    const url = 'https://sb.example.com/hook';
    const urlOnly = twilio.getExpectedTwilioSignature(TOKEN, url, {});
    const json = Buffer.from('{"a":1}');
    assert.deepEqual(verifyTwilioSignature({ authToken: TOKEN, signature: urlOnly, url, body: json, contentType: 'application/json' }), { ok: false, reason: 'missing_signature' });
    assert.deepEqual(verifyTwilioSignature({ authToken: TOKEN, signature: urlOnly, url, body: json }), { ok: false, reason: 'missing_signature' });
    assert.deepEqual(verifyTwilioSignature({ authToken: TOKEN, signature: urlOnly, url, body: Buffer.alloc(0), contentType: 'application/json' }), { ok: true });
    assert.deepEqual(verifyTwilioSignature({ authToken: TOKEN, signature: urlOnly, url, body: Buffer.alloc(0) }), { ok: true });
    // A non-form body's bytes are not params: the URL-only signature is the one that verifies (with its hash).
    const hashed = `${url}?bodySHA256=${createHash('sha256').update(json).digest('hex')}`;
    const sig = twilio.getExpectedTwilioSignature(TOKEN, hashed, {});
    assert.deepEqual(verifyTwilioSignature({ authToken: TOKEN, signature: sig, url: hashed, body: json, contentType: 'text/plain' }), { ok: true });
    assert.equal(signTwilioRequest({ authToken: TOKEN, url: hashed, body: json, contentType: 'text/plain' }), sig);
  });

  it('bodySHA256 counts only in the query string', () => {
    const json = Buffer.from('{"a":1}');
    const hash = createHash('sha256').update(json).digest('hex');
    const url = `https://sb.example.com/x&bodySHA256=${hash}`;
    const sig = twilio.getExpectedTwilioSignature(TOKEN, url, {});
    assert.deepEqual(verifyTwilioSignature({ authToken: TOKEN, signature: sig, url, body: json, contentType: 'application/json' }), { ok: false, reason: 'missing_signature' });
  });

  it('with bodySHA256 in the URL a form body is not signed as params, and the hash decides', () => {
    const hashed = `https://sb.example.com/hook?bodySHA256=${createHash('sha256').update(body).digest('hex')}`;
    const sig = twilio.getExpectedTwilioSignature(TOKEN, hashed, {});
    assert.deepEqual(verifyTwilioSignature({ authToken: TOKEN, signature: sig, url: hashed, body, contentType: FORM }), { ok: true });
    assert.equal(signTwilioRequest({ authToken: TOKEN, url: hashed, body, contentType: FORM }), sig);
    // Signed as params instead: refused.
    const asParams = twilio.getExpectedTwilioSignature(TOKEN, hashed, params);
    assert.deepEqual(verifyTwilioSignature({ authToken: TOKEN, signature: asParams, url: hashed, body, contentType: FORM }), { ok: false, reason: 'bad_signature' });
    // The right signature over a body that does not hash to it: refused.
    assert.deepEqual(verifyTwilioSignature({ authToken: TOKEN, signature: sig, url: hashed, body: Buffer.from('Body=Ho'), contentType: FORM }), { ok: false, reason: 'bad_signature' });
  });

  it('a form body sent under another content type is not signed as params', () => {
    const url = 'https://sb.example.com/hook';
    const asParams = twilio.getExpectedTwilioSignature(TOKEN, url, params);
    assert.notEqual(signTwilioRequest({ authToken: TOKEN, url, body, contentType: 'text/plain' }), asParams);
    assert.equal(signTwilioRequest({ authToken: TOKEN, url, body, contentType: 'text/plain' }), twilio.getExpectedTwilioSignature(TOKEN, url, {}));
    assert.equal(signTwilioRequest({ authToken: TOKEN, url, body, contentType: 'Application/X-WWW-Form-Urlencoded; charset=UTF-8' }), asParams);
  });
});

describe('Meta X-Hub-Signature-256 header syntax', () => {
  const secret = 'meta-app-secret-7f3a';
  const raw = Buffer.from('{"object":"page","entry":[]}');
  const good = signMeta(secret, raw);

  it('accepts upper-case hex, an upper-case prefix and surrounding whitespace', () => {
    assert.match(good, /^sha256=[0-9a-f]{64}$/);
    const hex = good.slice('sha256='.length);
    assert.deepEqual(verifyMetaSignature({ appSecret: secret, signature: `sha256=${hex.toUpperCase()}`, body: raw }), { ok: true });
    assert.deepEqual(verifyMetaSignature({ appSecret: secret, signature: `SHA256=${hex}`, body: raw }), { ok: true });
    assert.deepEqual(verifyMetaSignature({ appSecret: secret, signature: `  ${good}\n`, body: raw }), { ok: true });
  });

  it('refuses anything else by reason', () => {
    assert.deepEqual(verifyMetaSignature({ appSecret: undefined, signature: good, body: raw }), { ok: false, reason: 'missing_secret' });
    assert.deepEqual(verifyMetaSignature({ appSecret: secret, signature: undefined, body: raw }), { ok: false, reason: 'missing_signature' });
    assert.deepEqual(verifyMetaSignature({ appSecret: secret, signature: '', body: raw }), { ok: false, reason: 'missing_signature' });
    assert.deepEqual(verifyMetaSignature({ appSecret: secret, signature: 'sha256=', body: raw }), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyMetaSignature({ appSecret: secret, signature: `x${good}`, body: raw }), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyMetaSignature({ appSecret: secret, signature: `${good}z`, body: raw }), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyMetaSignature({ appSecret: 'another-secret', signature: good, body: raw }), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(verifyMetaSignature({ appSecret: secret, signature: good.slice(0, -2), body: raw }), { ok: false, reason: 'bad_signature' });
  });
});

describe('Stripe-Signature header syntax and tolerance', () => {
  const secret = 'whsec_test_5WbX5kEWLlfzsGNjH64I8lOOqUB6e8FH';
  const body = Buffer.from('{"id":"evt_1","object":"event"}');
  const t = 1_700_000_000;
  const v1 = signStripe(secret, body, t).split('v1=')[1]!;
  const now = t * 1000;

  it('accepts spaces around items, upper-case hex, unknown schemes and items without "="', () => {
    assert.deepEqual(verifyStripeSignature({ secret, header: ` t=${t} , v1=${v1.toUpperCase()} `, body, now }), { ok: true });
    assert.deepEqual(verifyStripeSignature({ secret, header: `v1=${v1},t=${t},v2=xyz,junk`, body, now }), { ok: true });
  });

  it('refuses by reason: no secret, no header, no or non-numeric t, no v1, a wrong v1', () => {
    assert.deepEqual(verifyStripeSignature({ secret: undefined, header: `t=${t},v1=${v1}`, body, now }), { ok: false, reason: 'missing_secret' });
    assert.deepEqual(verifyStripeSignature({ secret, header: undefined, body, now }), { ok: false, reason: 'missing_signature' });
    assert.deepEqual(verifyStripeSignature({ secret, header: `v1=${v1}`, body, now }), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyStripeSignature({ secret, header: `t=,v1=${v1}`, body, now }), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyStripeSignature({ secret, header: `t=17e8,v1=${v1}`, body, now }), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyStripeSignature({ secret, header: `t=${t}x,v1=${v1}`, body, now }), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyStripeSignature({ secret, header: `t=${t},v0=${v1}`, body, now }), { ok: false, reason: 'malformed' });
    // An item without "=" is no scheme at all, even one that starts like one.
    assert.deepEqual(verifyStripeSignature({ secret, header: `t=${t},v1x`, body, now }), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyStripeSignature({ secret, header: `tt,v1=${v1}`, body, now }), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyStripeSignature({ secret, header: `t=${t},v1=`, body, now }), { ok: false, reason: 'bad_signature' });
    // Signed for another timestamp: the timestamp is part of what is signed.
    assert.deepEqual(verifyStripeSignature({ secret, header: `t=${t + 1},v1=${v1}`, body, now }), { ok: false, reason: 'bad_signature' });
    // A bad signature is reported as such even when also stale.
    assert.deepEqual(verifyStripeSignature({ secret, header: `t=${t},v1=${'0'.repeat(64)}`, body, now: now + 10 * 60_000 }), { ok: false, reason: 'bad_signature' });
  });

  it('the tolerance is 300 s either way by default and can be set', () => {
    const header = `t=${t},v1=${v1}`;
    assert.deepEqual(verifyStripeSignature({ secret, header, body, now: now - 300_000 }), { ok: true });
    assert.deepEqual(verifyStripeSignature({ secret, header, body, now: now - 301_000 }), { ok: false, reason: 'stale' });
    assert.deepEqual(verifyStripeSignature({ secret, header, body, now: now + 60_000, toleranceSeconds: 60 }), { ok: true });
    assert.deepEqual(verifyStripeSignature({ secret, header, body, now: now + 61_000, toleranceSeconds: 60 }), { ok: false, reason: 'stale' });
    // Without `now`, the clock: a timestamp from now verifies, one from an hour ago does not.
    const fresh = Math.floor(Date.now() / 1000);
    assert.deepEqual(verifyStripeSignature({ secret, header: signStripe(secret, body, fresh), body }), { ok: true });
    assert.deepEqual(verifyStripeSignature({ secret, header: signStripe(secret, body, fresh - 3600), body }), { ok: false, reason: 'stale' });
  });
});

describe('HubSpot v3 URI escapes, timestamp and age', () => {
  const clientSecret = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
  const body = Buffer.from('[{"eventId":1}]');
  const ts = 1_700_000_000_000;

  it('decodes exactly the escapes HubSpot lists, either case, and leaves the rest', () => {
    assert.equal(hubspotUri('https://h/p?a=%3A%2F%3F%40%21%24%27%28%29%2A%2C%3B'), "https://h/p?a=:/?@!$'()*,;");
    assert.equal(hubspotUri('https://h/p?a=%3a%2f%3b'), 'https://h/p?a=:/;');
    assert.equal(hubspotUri('https://h/p?a=%20%26%3D%2B%25'), 'https://h/p?a=%20%26%3D%2B%25');
  });

  it('the signed source is METHOD + URI + body + timestamp, with the method upper-cased', () => {
    const url = 'https://h/hook?x=a%3Ab';
    const expected = createHmac('sha256', clientSecret).update(`POSThttps://h/hook?x=a:b${body.toString()}${ts}`).digest('base64');
    assert.equal(signHubSpotV3(clientSecret, 'post', url, body, ts), expected);
    assert.deepEqual(verifyHubSpotV3({ clientSecret, signature: ` ${expected} `, timestamp: String(ts), method: 'post', url, body, now: ts }), { ok: true });
  });

  it('refuses by reason, with the five-minute bound inclusive and a settable max age', () => {
    const url = 'https://h/hook';
    const signature = signHubSpotV3(clientSecret, 'POST', url, body, ts);
    const base = { clientSecret, signature, timestamp: String(ts), method: 'POST', url, body };
    assert.deepEqual(verifyHubSpotV3({ ...base, clientSecret: undefined, now: ts }), { ok: false, reason: 'missing_secret' });
    assert.deepEqual(verifyHubSpotV3({ ...base, signature: undefined, now: ts }), { ok: false, reason: 'missing_signature' });
    assert.deepEqual(verifyHubSpotV3({ ...base, timestamp: undefined, now: ts }), { ok: false, reason: 'missing_signature' });
    assert.deepEqual(verifyHubSpotV3({ ...base, timestamp: '1700000000000.5', now: ts }), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyHubSpotV3({ ...base, timestamp: 'x1700000000000', now: ts }), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyHubSpotV3({ ...base, timestamp: String(ts + 1), now: ts }), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(verifyHubSpotV3({ ...base, url: 'https://h/hook2', now: ts }), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(verifyHubSpotV3({ ...base, now: ts + 300_000 }), { ok: true });
    assert.deepEqual(verifyHubSpotV3({ ...base, now: ts + 300_001 }), { ok: false, reason: 'stale' });
    assert.deepEqual(verifyHubSpotV3({ ...base, now: ts - 300_001 }), { ok: false, reason: 'stale' });
    assert.deepEqual(verifyHubSpotV3({ ...base, now: ts + 1_001, maxAgeMs: 1_000 }), { ok: false, reason: 'stale' });
    assert.deepEqual(verifyHubSpotV3({ ...base, now: ts + 1_000, maxAgeMs: 1_000 }), { ok: true });
    const fresh = Date.now();
    assert.deepEqual(verifyHubSpotV3({ ...base, timestamp: String(fresh), signature: signHubSpotV3(clientSecret, 'POST', url, body, fresh) }), { ok: true });
    assert.deepEqual(verifyHubSpotV3({ ...base }), { ok: false, reason: 'stale' });
  });
});

describe('Standard Webhooks secrets and headers', () => {
  const key24 = Buffer.alloc(24, 7).toString('base64');
  const key64 = Buffer.alloc(64, 7).toString('base64');

  it('a secret is whsec_ + base64 of 24–64 bytes; the prefix is optional', () => {
    assert.deepEqual(webhookSecretKey(`whsec_${key24}`), Buffer.alloc(24, 7));
    assert.deepEqual(webhookSecretKey(key24), Buffer.alloc(24, 7));
    assert.deepEqual(webhookSecretKey(`whsec_${key64}`), Buffer.alloc(64, 7));
    assert.throws(() => webhookSecretKey(`whsec_${Buffer.alloc(23, 7).toString('base64')}`), /24–64 bytes/);
    assert.throws(() => webhookSecretKey(`whsec_${Buffer.alloc(65, 7).toString('base64')}`), /24–64 bytes/);
    assert.throws(() => webhookSecretKey('whsec_not base64!'), /not base64/);
    assert.throws(() => webhookSecretKey(`whsec_${key24}===`), /not base64/);
    assert.throws(() => webhookSecretKey(`x${key24}!`), /not base64/);
    assert.throws(() => webhookSecretKey(`whsec_!${key24}`), /not base64/);
    assert.throws(() => webhookSecretKey(''), /not base64/);
  });

  it('generated secrets carry the number of bytes asked for (32 by default)', () => {
    assert.equal(webhookSecretKey(generateWebhookSecret()).length, 32);
    assert.equal(webhookSecretKey(generateWebhookSecret(48)).length, 48);
    assert.notEqual(generateWebhookSecret(), generateWebhookSecret());
  });

  it('signs id.timestamp.body with the decoded key', () => {
    const secret = `whsec_${key24}`;
    const expected = createHmac('sha256', Buffer.alloc(24, 7)).update('msg_1.1000.{}').digest('base64');
    assert.equal(signStandardWebhook(secret, 'msg_1', 1000, '{}'), `v1,${expected}`);
  });

  it('refuses by reason and bounds the window both ways, inclusive, settable', () => {
    const secret = `whsec_${key24}`;
    const body = Buffer.from('{}');
    const signature = signStandardWebhook(secret, 'msg_1', 1000, body);
    const base = { secret, id: 'msg_1', timestamp: '1000', signature, body, now: 1_000_000 };
    assert.deepEqual(verifyStandardWebhook({ ...base, secret: undefined }), { ok: false, reason: 'missing_secret' });
    assert.deepEqual(verifyStandardWebhook({ ...base, secret: 'whsec_short' }), { ok: false, reason: 'missing_secret' });
    // No secret is reported as such before anything about the request.
    assert.deepEqual(verifyStandardWebhook({ ...base, secret: undefined, id: undefined }), { ok: false, reason: 'missing_secret' });
    assert.deepEqual(verifyStandardWebhook({ ...base, id: undefined }), { ok: false, reason: 'missing_signature' });
    assert.deepEqual(verifyStandardWebhook({ ...base, timestamp: undefined }), { ok: false, reason: 'missing_signature' });
    assert.deepEqual(verifyStandardWebhook({ ...base, signature: undefined }), { ok: false, reason: 'missing_signature' });
    assert.deepEqual(verifyStandardWebhook({ ...base, timestamp: '1000.0' }), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyStandardWebhook({ ...base, timestamp: 'x1000' }), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyStandardWebhook({ ...base, signature: signature.replace('v1,', 'v2,') }), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyStandardWebhook({ ...base, signature: `v1a,${signature.slice(3)}` }), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyStandardWebhook({ ...base, signature: `v1,${signature.slice(3).toLowerCase()}x` }), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(verifyStandardWebhook({ ...base, timestamp: '1001' }), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(verifyStandardWebhook({ ...base, now: 1_300_000 }), { ok: true });
    assert.deepEqual(verifyStandardWebhook({ ...base, now: 1_300_001 }), { ok: false, reason: 'stale' });
    assert.deepEqual(verifyStandardWebhook({ ...base, now: 1_000_000 - 300_000 + 1_000 - 1_000 }), { ok: true });
    assert.deepEqual(verifyStandardWebhook({ ...base, now: 1_010_001, toleranceSeconds: 10 }), { ok: false, reason: 'stale' });
    assert.deepEqual(verifyStandardWebhook({ ...base, now: 1_010_000, toleranceSeconds: 10 }), { ok: true });
    const fresh = Math.floor(Date.now() / 1000);
    assert.deepEqual(verifyStandardWebhook({ ...base, timestamp: String(fresh), signature: signStandardWebhook(secret, 'msg_1', fresh, body), now: undefined }), { ok: true });
    assert.deepEqual(verifyStandardWebhook({ ...base, now: undefined }), { ok: false, reason: 'stale' });
  });
});

describe('Bearer upload tokens, header syntax', () => {
  const token = 'a'.repeat(24) + 'Z9';
  it('one or more spaces after the scheme, trailing whitespace, any header-name case', () => {
    assert.deepEqual(verifyBearerToken({ headers: { Authorization: `Bearer   ${token}  ` } }, token), { ok: true });
    assert.deepEqual(verifyBearerToken({ headers: { AUTHORIZATION: `BEARER ${token}` } }, token), { ok: true });
  });
  it('refuses a scheme with no token, a token with inner spaces, a prefix, or an empty configured token', () => {
    assert.deepEqual(verifyBearerToken({ headers: { authorization: 'Bearer ' } }, token), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyBearerToken({ headers: { authorization: `Bearer${token}` } }, token), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyBearerToken({ headers: { authorization: `Bearer ${token} x` } }, token), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyBearerToken({ headers: { authorization: `xBearer ${token}` } }, token), { ok: false, reason: 'malformed' });
    assert.deepEqual(verifyBearerToken({ headers: { authorization: '' } }, token), { ok: false, reason: 'missing_signature' });
    assert.deepEqual(verifyBearerToken({ headers: { authorization: `Bearer ${token}` } }, ''), { ok: false, reason: 'missing_secret' });
    assert.deepEqual(verifyBearerToken({ headers: { authorization: `Bearer ${token.slice(1)}` } }, token), { ok: false, reason: 'bad_signature' });
  });
});
