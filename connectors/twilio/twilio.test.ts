import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import twilioSdk from 'twilio';
import {
  assertFixture,
  assertRejected,
  assertVerified,
  loadFixture,
  loadFixtures,
  runFixture,
  type Fixture,
} from '../kit/harness.ts';
import { createRegistry, mapOutbound, MappingError, type NormalizedEvent } from '../kit/index.ts';
import twilio from './index.ts';
import type { TwilioConfig } from './index.ts';

const fixturesDir = new URL('./fixtures/', import.meta.url).pathname;
const AUTH_TOKEN = '5d4c3b2a19f8e7d6c5b4a39281706f5e';
const config: TwilioConfig = { accountSid: 'AC3f5e0c7a9b2d4e6f8a1b3c5d7e9f1a2b' };
const secrets = { authToken: AUTH_TOKEN };
const url = 'https://sb.example.com/v1/receive/0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const opts = { config, secrets, url };

describe('twilio connector definition', () => {
  it('is a valid channel connector, registrable, with the documented config', () => {
    const registry = createRegistry();
    registry.register(twilio);
    assert.equal(registry.resolve('twilio', 1), twilio);
    assert.equal(twilio.kind, 'channel');
    assert.deepEqual(twilio.validateConfig(config), []);
    assert.deepEqual(twilio.validateConfig({ accountSid: 'AC123', fromNumbers: ['4155550100'] }), [
      'config/accountSid: must match pattern "^AC[0-9a-fA-F]{32}$"',
      'config/fromNumbers/0: must match pattern "^(whatsapp:)?\\+[1-9][0-9]{1,14}$"',
    ]);
    assert.deepEqual(twilio.validateSecrets({}), ["secrets/: must have required property 'authToken'"]);
  });
});

describe('twilio fixtures: sign → verify → map', () => {
  for (const fixture of loadFixtures(fixturesDir)) {
    it(fixture.name, async () => {
      await assertFixture(twilio, fixture, opts);
    });
  }

  it('hands verified events to the ingest step', async () => {
    const seen: NormalizedEvent[][] = [];
    const result = await runFixture(twilio, loadFixture(`${fixturesDir}/inbound-sms.json`), {
      ...opts,
      ingest: (events) => {
        seen.push(events);
        return { stored: events.length };
      },
    });
    assert.deepEqual(seen, [result.events]);
    assert.deepEqual(result.ingested, { stored: 1 });
  });

  it('accepts a signature recorded by the official SDK', async () => {
    const fixture = loadFixture(`${fixturesDir}/status-delivered.json`);
    const params = Object.fromEntries(new URLSearchParams(fixture.request.body as string));
    const recorded: Fixture = {
      ...fixture,
      signature: 'recorded',
      request: {
        ...fixture.request,
        url,
        headers: { ...fixture.request.headers, 'X-Twilio-Signature': twilioSdk.getExpectedTwilioSignature(AUTH_TOKEN, url, params) },
      },
    };
    const result = await runFixture(twilio, recorded, { config, secrets });
    assertVerified(result);
    assert.deepEqual(result.events, fixture.expect);
  });

  it('refuses a tampered body, a wrong token and a missing signature, and calls no ingest', async () => {
    const fixture = loadFixture(`${fixturesDir}/inbound-sms.json`);
    const ingest = () => assert.fail('a refused request must not be ingested');
    const tampered = await runFixture(twilio, fixture, {
      ...opts,
      ingest,
      mutate: (req) => ({ ...req, body: Buffer.from(req.body.toString().replace('Unit+4B', 'Unit+5C')) }),
    });
    assertRejected(tampered, 'bad_signature');
    const params = Object.fromEntries(new URLSearchParams(fixture.request.body as string));
    const otherAccountSig = twilioSdk.getExpectedTwilioSignature('0'.repeat(32), url, params);
    const wrongToken = await runFixture(
      twilio,
      { ...fixture, signature: 'recorded', request: { ...fixture.request, url, headers: { ...fixture.request.headers, 'x-twilio-signature': otherAccountSig } } },
      { config, secrets, ingest },
    );
    assertRejected(wrongToken, 'bad_signature');
    const unsigned = await runFixture(twilio, { ...fixture, signature: 'recorded' }, { ...opts, ingest });
    assertRejected(unsigned, 'missing_signature');
  });

  it('behind a proxy, checks the signature against publicBaseUrl (path and query kept)', async () => {
    const fixture = loadFixture(`${fixturesDir}/inbound-mms.json`);
    const proxied = { ...config, publicBaseUrl: 'https://sms.example.com/' };
    const publicUrl = 'https://sms.example.com/v1/receive/abc?x=1';
    const params = Object.fromEntries(new URLSearchParams(fixture.request.body as string));
    const signedByTwilio = twilioSdk.getExpectedTwilioSignature(AUTH_TOKEN, publicUrl, params);
    const asSeen = {
      ...fixture,
      signature: 'recorded' as const,
      request: { ...fixture.request, headers: { ...fixture.request.headers, 'x-twilio-signature': signedByTwilio } },
    };
    assertVerified(await runFixture(twilio, asSeen, { config: proxied, secrets, url: 'http://10.0.0.5:8080/v1/receive/abc?x=1' }));
    assertRejected(await runFixture(twilio, asSeen, { config, secrets, url: 'http://10.0.0.5:8080/v1/receive/abc?x=1' }), 'bad_signature');
  });

  it('refuses a verified payload it cannot map (400 at the ingress, archived for replay)', async () => {
    const fixture: Fixture = {
      name: 'debugger event',
      request: { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'AccountSid=AC1&Level=ERROR&PayloadType=application%2Fjson' },
    };
    await assert.rejects(runFixture(twilio, fixture, opts), (err: unknown) => MappingError.is(err) && /no inbound rule matches/.test(err.problems[0]!));
  });
});

describe('twilio outbound mapping', () => {
  const base = { messageId: '0193a1b2-0000-7000-8000-000000000001', to: { kind: 'phone', value: '+14155550123' }, body: 'Tech en route' };
  const map = (msg: object, cfg: object) => mapOutbound(twilio.manifest, { channel: 'sms', ...base, ...msg }, { config: { ...config, ...cfg } });

  it('uses the explicit sender, else the Messaging Service, else the first configured number', async () => {
    const mg = 'MG9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d';
    assert.deepEqual(await map({ from: { address: '+14155550199' } }, { messagingServiceSid: mg }), { To: '+14155550123', From: '+14155550199', Body: 'Tech en route' });
    assert.deepEqual(await map({}, { messagingServiceSid: mg, fromNumbers: ['+14155550100'] }), { To: '+14155550123', MessagingServiceSid: mg, Body: 'Tech en route' });
    assert.deepEqual(await map({}, { fromNumbers: ['+14155550100'] }), { To: '+14155550123', From: '+14155550100', Body: 'Tech en route' });
  });

  it('sends media as MediaUrl and asks for status callbacks', async () => {
    const out = await map({ media: [{ url: 'https://cdn.example.com/a.jpg' }], statusCallbackUrl: 'https://sb.example.com/v1/receive/x' }, {});
    assert.deepEqual(out, { To: '+14155550123', Body: 'Tech en route', MediaUrl: ['https://cdn.example.com/a.jpg'], StatusCallback: 'https://sb.example.com/v1/receive/x' });
  });

  it('prefixes WhatsApp addresses and sends templates by ContentSid', async () => {
    const out = await map(
      { channel: 'whatsapp', to: { kind: 'whatsapp', value: '+14155550123' }, body: undefined, template: { id: 'HXb5b62575e6e4ff6129ad7c8efe1f983e', variables: { '1': '12/1', '2': '3pm' } } },
      { fromNumbers: ['whatsapp:+14155550199'] },
    );
    assert.deepEqual(out, {
      To: 'whatsapp:+14155550123',
      From: 'whatsapp:+14155550199',
      ContentSid: 'HXb5b62575e6e4ff6129ad7c8efe1f983e',
      ContentVariables: '{"1":"12/1","2":"3pm"}',
    });
  });
});
