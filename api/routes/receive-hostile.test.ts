import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import twilioSdk from 'twilio';
import { startHarness, type Harness } from '../../test/harness.ts';
import { AUTH_TOKEN, formParams, postTwilio, stored, twilioConnection } from '../../test/connections.ts';

/**
 * Provider ingress under hostile but correctly signed input (signatures by the twilio SDK):
 * JSON bodies need their bodySHA256, text PostgreSQL cannot store is a 400 archived for replay
 * (never a 500 Twilio would retry forever), and a refused signature names the URL it was checked against.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const sms = formParams(JSON.parse(readFileSync(new URL('../../connectors/twilio/fixtures/inbound-sms.json', import.meta.url), 'utf8')).request.body);

async function postJson(url: string, json: string, signedUrl = url) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-twilio-signature': twilioSdk.getExpectedTwilioSignature(AUTH_TOKEN, signedUrl, {}) },
    body: json,
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as any };
}

test('a JSON body signed over the URL alone (no bodySHA256) → 401, nothing stored; with a matching bodySHA256 it is verified', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const c = await twilioConnection(h, apiKey);
  const before = await stored(h, orgId);
  const json = JSON.stringify({ ...sms, MessageSid: 'SM00000000000000000000000000000json', Body: 'Wire the deposit to account 123' });
  const unsigned = await postJson(c.inboundUrl, json);
  assert.equal(unsigned.status, 401, JSON.stringify(unsigned.body));
  assert.equal(twilioSdk.validateIncomingRequest({ protocol: 'http', header: () => '', headers: {}, originalUrl: '/', body: JSON.parse(json) } as any, AUTH_TOKEN, { url: c.inboundUrl }), false, 'the SDK refuses it too');
  assert.deepEqual(await stored(h, orgId), before);
  const hashed = `${c.inboundUrl}?bodySHA256=${createHash('sha256').update(json).digest('hex')}`;
  const ok = await postJson(hashed, json);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal((await stored(h, orgId)).messages, before.messages + 1);
  const tampered = await postJson(hashed, json.replace('123', '999'));
  assert.equal(tampered.status, 401);
});

test('NUL in MessageSid or AccountSid, or a lone surrogate in a JSON body → 400 naming the field, archived as failed', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const c = await twilioConnection(h, apiKey);
  const before = await stored(h, orgId);
  const answers = [
    await postTwilio(c.inboundUrl, { ...sms, MessageSid: 'SM0000\u00000000000000000000000000001' }),
    await postTwilio(c.inboundUrl, { ...sms, MessageSid: 'SM00000000000000000000000000000002', AccountSid: `${sms.AccountSid}\u0000` }),
  ].map((r) => ({ status: r.status, body: JSON.parse(r.text) }));
  const json = JSON.stringify({ ...sms, MessageSid: 'SM00000000000000000000000000000003', Body: 'broken \ud800 text' });
  answers.push(await postJson(`${c.inboundUrl}?bodySHA256=${createHash('sha256').update(json).digest('hex')}`, json));
  for (const a of answers) {
    assert.equal(a.status, 400, JSON.stringify(a.body));
    assert.equal(a.body.error.code, 'validation_failed');
    assert.match(a.body.error.details[0].reason, /NUL|surrogate/);
    assert.ok(a.body.error.details[0].rawInboundId);
  }
  const after = await stored(h, orgId);
  assert.deepEqual({ ...after, rawInbound: before.rawInbound }, before, 'no message, contact or event');
  assert.equal(after.rawInbound, before.rawInbound + 3);
  const archived = await h.engine.tenant(orgId, (tx) => tx.trx('raw_inbound').select('status'));
  assert.deepEqual(archived.map((r) => r.status), ['failed', 'failed', 'failed']);
});

test('a refused signature names the URL it was checked against', async () => {
  const { apiKey } = await h.newOrg();
  const c = await twilioConnection(h, apiKey);
  const reached = c.inboundUrl.replace('127.0.0.1', 'localhost');
  const res = await postTwilio(reached, sms, { signedUrl: c.inboundUrl });
  assert.equal(res.status, 401);
  const body = JSON.parse(res.text);
  assert.equal(body.error.details.url, reached);
  assert.ok(body.error.message.includes(reached), body.error.message);
});
