import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { defineConnector } from './define.ts';
import { assertFixture, assertRejected, buildRequest, runFixture, type Fixture } from './harness.ts';
import { signStandardWebhook } from './signatures/index.ts';
import { ACME_SECRET, acmeSpec } from './test-connector.ts';

const acme = defineConnector(acmeSpec());
const now = () => 1_800_000_000_000;
const opts = { config: { region: 'us' }, secrets: { webhookSecret: ACME_SECRET }, now };

const fixture: Fixture = {
  name: 'one message',
  request: { headers: { 'webhook-id': 'msg_1' }, body: { type: 'batch', account: '+15550001111', messages: [{ id: 'a1', from: '+15550002222', text: 'hi' }] } },
  expect: [
    {
      kind: 'message', channel: 'sms', from: { kind: 'phone', value: '+15550002222' }, to: { address: '+15550001111' },
      providerMessageId: 'a1', body: 'hi', media: [], metadata: { region: 'us' },
    },
  ],
};

describe('test harness', () => {
  it('sends object bodies as JSON and signs them with the connector\'s sign()', async () => {
    const req = buildRequest(fixture);
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.body.toString(), JSON.stringify(fixture.request.body));
    const result = await assertFixture(acme, fixture, opts);
    assert.equal(result.request.headers['webhook-timestamp'], '1800000000');
  });

  it('refuses a recorded signature whose timestamp is outside the replay window', async () => {
    const body = JSON.stringify(fixture.request.body);
    const ts = 1_800_000_000 - 301;
    const recorded: Fixture = {
      ...fixture,
      signature: 'recorded',
      request: {
        headers: { 'content-type': 'application/json', 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhook(ACME_SECRET, 'msg_1', ts, body) },
        body,
      },
    };
    assertRejected(await runFixture(acme, recorded, opts), 'stale');
    assert.deepEqual((await runFixture(acme, recorded, { ...opts, now: () => (ts + 10) * 1000 })).events, fixture.expect);
  });

  it('says what is missing when a connector cannot sign or verify', async () => {
    const spec = acmeSpec();
    delete spec.sign;
    await assert.rejects(runFixture(defineConnector(spec), fixture, opts), /acme-sms has no sign\(\): give the fixture a recorded signature/);
    const crm = defineConnector({ ...acmeSpec(), capabilities: [], verify: undefined, send: undefined });
    await assert.rejects(runFixture(crm, fixture, opts), /has no verify\(\)/);
  });
});
