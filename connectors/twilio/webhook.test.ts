import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import twilioSdk from 'twilio';
import { mapInbound } from '../kit/index.ts';
import twilio from './index.ts';

const AUTH_TOKEN = '5d4c3b2a19f8e7d6c5b4a39281706f5e';
const ctx = { config: { accountSid: 'AC3f5e0c7a9b2d4e6f8a1b3c5d7e9f1a2b' }, secrets: { authToken: AUTH_TOKEN } };
const url = 'http://127.0.0.1:4100/v1/receive/0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';

describe('twilio webhook answers and sandbox callbacks', () => {
  it('acknowledges with an empty TwiML response', () => {
    const answer = twilio.ack!({ events: [] }, ctx);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers?.['content-type'], 'text/xml');
    assert.match(answer.body!, /<Response\/>$/);
  });

  it('simulates a StatusCallback that the official SDK accepts and the manifest maps', async () => {
    for (const status of ['sent', 'delivered', 'undelivered'] as const) {
      const sim = await twilio.simulateStatus!({ providerMessageId: 'SBaa11', status }, ctx);
      const req = { method: 'POST', url, headers: sim.headers, body: Buffer.from(sim.body) };
      const headers = await twilio.sign!(req, ctx);
      const params = Object.fromEntries(new URLSearchParams(sim.body));
      assert.ok(twilioSdk.validateRequest(AUTH_TOKEN, headers['x-twilio-signature']!, url, params), 'the SDK accepts the signature');
      const [event] = await mapInbound(twilio.manifest, { ...req, headers: { ...req.headers, ...headers } });
      assert.equal(event!.kind, 'status');
      assert.deepEqual([(event as { status: string }).status, (event as { providerMessageId: string }).providerMessageId], [status, 'SBaa11']);
    }
  });
});
