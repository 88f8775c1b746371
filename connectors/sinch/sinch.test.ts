import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { calculateWebhookSignature, computeSignedData, SmsCallbackWebhooks } from '@sinch/sdk-core';
import {
  assertFixture,
  assertRejected,
  assertVerified,
  loadFixture,
  loadFixtures,
  runFixture,
  type Fixture,
} from '../kit/harness.ts';
import { ConnectorError, createRegistry, mapInbound, mapOutbound, MappingError, type NormalizedEvent, type RawRequest } from '../kit/index.ts';
import sinch from './index.ts';
import type { SinchConfig, SinchSecrets } from './index.ts';

/**
 * The same kit-level checks as connectors/twilio/twilio.test.ts (definition, fixtures through
 * sign → verify → map, ingest hand-off, a signature made by the official SDK, tampering, an
 * unmappable payload, outbound mapping), for Sinch: see README "Parity with Twilio".
 */
const fixturesDir = new URL('./fixtures/', import.meta.url).pathname;
const WEBHOOK_SECRET = 'kS9dX2mQ7vR4tL8p';
const config: SinchConfig = { servicePlanId: '8f2b9c4d1e7a4b6c9d0e3f5a7b1c2d4e', region: 'us' };
const secrets: SinchSecrets = { apiToken: 'b2c4d6e8f0a1b3c5d7e9f1a3b5c7d9e1', webhookSecret: WEBHOOK_SECRET };
const url = 'https://sb.example.com/v1/receive/0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const opts = { config, secrets, url };

/** Headers as Sinch sends them, built with the official SDK's own signing helpers. */
function sdkSignedHeaders(body: string, secret: string, timestamp: number, nonce = '01JDQ6N0NCE5EXAMPLE0000000') {
  return {
    'x-sinch-webhook-signature': calculateWebhookSignature(computeSignedData(body, nonce, String(timestamp)), secret),
    'x-sinch-webhook-signature-nonce': nonce,
    'x-sinch-webhook-signature-timestamp': String(timestamp),
    'x-sinch-webhook-signature-algorithm': 'HmacSHA256',
  };
}

function recorded(fixture: Fixture, headers: Record<string, string>): Fixture {
  return { ...fixture, signature: 'recorded', request: { ...fixture.request, url, headers: { ...fixture.request.headers, ...headers } } };
}

describe('sinch connector definition', () => {
  it('is a valid channel connector, registrable, with the documented config', () => {
    const registry = createRegistry();
    registry.register(sinch);
    assert.equal(registry.resolve('sinch', 1), sinch);
    assert.deepEqual([sinch.kind, sinch.channels], ['channel', ['sms', 'mms']]);
    assert.deepEqual(sinch.validateConfig(config), []);
    assert.deepEqual(sinch.validateConfig({ servicePlanId: 'x', region: 'mars', fromNumbers: ['4155550100'] }), [
      'config/servicePlanId: must match pattern "^[A-Za-z0-9]{16,64}$"',
      'config/region: must be equal to one of the allowed values (us, eu, au, br, ca)',
      'config/fromNumbers/0: must match pattern "^(\\+[1-9][0-9]{6,14}|[0-9]{3,8})$"',
    ]);
    assert.deepEqual(sinch.validateSecrets({ apiToken: 't' }), [
      "secrets/: must have required property 'webhookSecret'",
      "secrets/: must have required property 'callbackPassword'",
      'secrets/: must match a schema in anyOf',
    ]);
  });
});

describe('sinch fixtures: sign → verify → map', () => {
  for (const fixture of loadFixtures(fixturesDir)) {
    it(fixture.name, async () => {
      await assertFixture(sinch, fixture, opts);
    });
  }

  it('hands verified events to the ingest step', async () => {
    const seen: NormalizedEvent[][] = [];
    const result = await runFixture(sinch, loadFixture(`${fixturesDir}/inbound-sms.json`), {
      ...opts,
      ingest: (events) => {
        seen.push(events);
        return { stored: events.length };
      },
    });
    assert.deepEqual(seen, [result.events]);
    assert.deepEqual(result.ingested, { stored: 1 });
  });

  it('accepts a signature made by the official SDK, and its validator accepts ours', async () => {
    const fixture = loadFixture(`${fixturesDir}/status-delivered.json`);
    const now = 1_795_790_000_000;
    const result = await runFixture(sinch, recorded(fixture, sdkSignedHeaders(fixture.request.body as string, WEBHOOK_SECRET, now / 1000)), { config, secrets, now: () => now });
    assertVerified(result);
    assert.deepEqual(result.events, fixture.expect);
    const ours = await runFixture(sinch, fixture, { ...opts, now: () => now });
    assert.equal(new SmsCallbackWebhooks(WEBHOOK_SECRET).validateAuthenticationHeader(ours.request.headers as Record<string, string>, fixture.request.body as string), true);
  });

  it('refuses a tampered body, a wrong secret, a missing signature and a stale one, and calls no ingest', async () => {
    const fixture = loadFixture(`${fixturesDir}/inbound-sms.json`);
    const body = fixture.request.body as string;
    const now = 1_795_790_000_000;
    const ingest = () => assert.fail('a refused request must not be ingested');
    const signed = recorded(fixture, sdkSignedHeaders(body, WEBHOOK_SECRET, now / 1000));
    const tampered = await runFixture(sinch, signed, { config, secrets, now: () => now, ingest, mutate: (req) => ({ ...req, body: Buffer.from(req.body.toString().replace('Unit 4B', 'Unit 5C')) }) });
    assertRejected(tampered, 'bad_signature');
    const renonced = await runFixture(sinch, signed, { config, secrets, now: () => now, ingest, mutate: (req) => ({ ...req, headers: { ...req.headers, 'x-sinch-webhook-signature-nonce': 'another-nonce' } }) });
    assertRejected(renonced, 'bad_signature');
    assertRejected(await runFixture(sinch, recorded(fixture, sdkSignedHeaders(body, 'someone-elses-secret', now / 1000)), { config, secrets, now: () => now, ingest }), 'bad_signature');
    assertRejected(await runFixture(sinch, recorded(fixture, {}), { config, secrets, now: () => now, ingest }), 'missing_signature');
    assertRejected(await runFixture(sinch, signed, { config, secrets, now: () => now + 301_000, ingest }), 'stale');
    assertVerified(await runFixture(sinch, signed, { config, secrets, now: () => now + 299_000 }));
  });

  it('with basic authentication instead: the configured user and password, compared in constant time', async () => {
    const fixture = loadFixture(`${fixturesDir}/status-aborted-402.json`);
    const basicConfig = { ...config, callbackUsername: 'switchboard' };
    const basicSecrets = { apiToken: secrets.apiToken, callbackPassword: 'cb-pass-4f9a2e71' };
    const basic = (user: string, pass: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });
    assertVerified(await runFixture(sinch, fixture, { config: basicConfig, secrets: basicSecrets, url }));
    assertVerified(await runFixture(sinch, recorded(fixture, basic('switchboard', 'cb-pass-4f9a2e71')), { config: basicConfig, secrets: basicSecrets }));
    assertRejected(await runFixture(sinch, recorded(fixture, basic('switchboard', 'cb-pass-4f9a2e72')), { config: basicConfig, secrets: basicSecrets }), 'bad_signature');
    assertRejected(await runFixture(sinch, recorded(fixture, basic('intruder', 'cb-pass-4f9a2e71')), { config: basicConfig, secrets: basicSecrets }), 'bad_signature');
    assertRejected(await runFixture(sinch, recorded(fixture, {}), { config: basicConfig, secrets: basicSecrets }), 'missing_signature');
  });

  it('refuses a verified payload it cannot map (400 at the ingress, archived for replay); binary SMS are acknowledged', async () => {
    const unknown: Fixture = { name: 'unknown', request: { headers: { 'content-type': 'application/json' }, body: '{"type":"mt_text","id":"x"}' } };
    await assert.rejects(runFixture(sinch, unknown, opts), (err: unknown) => MappingError.is(err) && /no inbound rule matches/.test(err.problems[0]!));
    const binary: RawRequest = { method: 'POST', url, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"type":"mo_binary","id":"01JDQ","from":"14155550123","to":"14155550199","body":"AAEC","udh":"050003010101","received_at":"2026-11-27T14:32:01Z"}') };
    assert.deepEqual(await mapInbound(sinch.manifest, binary), []);
  });

  it('round-trips sandbox status callbacks: simulateStatus → sign → verify → the same canonical status', async () => {
    for (const status of ['queued', 'sent', 'delivered', 'undelivered', 'failed'] as const) {
      const simulated = await sinch.simulateStatus!({ providerMessageId: '01JDQ5H7K2M3N4P5Q6R7S8T9V0', status }, { config, secrets });
      const result = await runFixture(sinch, { name: status, request: { headers: simulated.headers, body: simulated.body } }, opts);
      assertVerified(result);
      assert.deepEqual(result.events.map((e) => (e.kind === 'status' ? [e.providerMessageId, e.status] : e.kind)), [['01JDQ5H7K2M3N4P5Q6R7S8T9V0', status]]);
    }
  });
});

describe('sinch outbound mapping', () => {
  const base = { messageId: '0193a1b2-0000-7000-8000-000000000001', channel: 'sms', to: { kind: 'phone', value: '+14155550123' }, body: 'Tech en route' };
  const map = (msg: object, cfg: object = {}) => mapOutbound(sinch.manifest, { ...base, ...msg }, { config: { ...config, ...cfg } });

  it('uses the explicit sender, else the first configured number, else the service plan default; one recipient per batch', async () => {
    const common = { to: ['+14155550123'], delivery_report: 'per_recipient', client_reference: base.messageId, type: 'mt_text', body: 'Tech en route' };
    assert.deepEqual(await map({ from: { address: '+14155550199' } }, { fromNumbers: ['+14155550100'] }), { ...common, from: '+14155550199' });
    assert.deepEqual(await map({}, { fromNumbers: ['+14155550100'] }), { ...common, from: '+14155550100' });
    assert.deepEqual(await map({}), common);
  });

  it('asks for per-recipient delivery reports at the status callback URL; one media item becomes an MMS', async () => {
    const out = await map({ media: [{ url: 'https://cdn.example.com/a.jpg' }], statusCallbackUrl: 'https://sb.example.com/v1/receive/x' });
    assert.deepEqual(out, {
      to: ['+14155550123'],
      delivery_report: 'per_recipient',
      callback_url: 'https://sb.example.com/v1/receive/x',
      client_reference: base.messageId,
      type: 'mt_media',
      body: { url: 'https://cdn.example.com/a.jpg', message: 'Tech en route' },
    });
    await assert.rejects(map({ media: [{ url: 'https://cdn.example.com/a.jpg' }, { url: 'https://cdn.example.com/b.jpg' }] }), (err: unknown) => ConnectorError.is(err) && err.code === 'invalid_request' && /one media item/.test(err.message));
  });
});
