import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';
import { CUSTOMER, stored, twilioConnection } from '../../test/connections.ts';

/**
 * POST /v1/messages/preflight: the send's own checks as a dry run. The verdict names the refusal a
 * send would get (the dashboard composer shows it before sending), and nothing is ever stored.
 */
let h: Harness;
before(async () => {
  h = await startHarness();
});
after(async () => h?.close());

const sms = { channel: 'sms', to: { handle: { kind: 'phone', value: CUSTOMER } }, body: 'Tech en route' };

test('an opted-out recipient: the preflight answers recipient_opted_out and stores nothing; the send is refused alike', async () => {
  const { orgId, apiKey } = await h.newOrg();
  await twilioConnection(h, apiKey, { sandbox: true });
  const before = await stored(h, orgId);
  const ok = await h.call(apiKey, 'POST', '/v1/messages/preflight', sms);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.deepEqual(ok.body, { object: 'send_preflight', allow: true, code: null, message: null, deferredUntil: null, details: null });
  assert.deepEqual(await stored(h, orgId), before, 'an allowed dry run stores nothing either (no contact, message or event)');

  assert.equal((await h.call(apiKey, 'POST', '/v1/consents', { handle: { kind: 'phone', value: CUSTOMER }, channel: 'sms', status: 'opted_out' })).status, 201);
  const afterOptOut = await stored(h, orgId);
  const refused = await h.call(apiKey, 'POST', '/v1/messages/preflight', sms);
  assert.equal(refused.status, 200);
  assert.equal(refused.body.allow, false);
  assert.equal(refused.body.code, 'recipient_opted_out');
  assert.match(refused.body.message, /opted out of transactional messages on sms/);
  assert.deepEqual(await stored(h, orgId), afterOptOut);

  const send = await h.call(apiKey, 'POST', '/v1/messages', sms);
  assert.equal(send.status, 422);
  assert.equal(send.body.error.code, refused.body.code, 'the preflight said what the send answers');
  assert.equal((await stored(h, orgId)).messages, 0);
});

test('marketing in quiet hours: allowed, with the time the message would leave', async () => {
  const { apiKey } = await h.newOrg();
  await twilioConnection(h, apiKey, { sandbox: true });
  // Marketing may leave one minute a day (00:00–00:01 in the recipient's time): now is almost surely outside.
  const settings = await h.call(apiKey, 'PATCH', '/v1/org', { settings: { quietHours: { start: '00:00', end: '00:01' } } });
  assert.equal(settings.status, 200, JSON.stringify(settings.body));
  const r = await h.call(apiKey, 'POST', '/v1/messages/preflight', { ...sms, purpose: 'marketing' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.allow, true);
  assert.ok(r.body.deferredUntil && Date.parse(r.body.deferredUntil) > Date.now(), JSON.stringify(r.body));
  const refused = await h.call(apiKey, 'POST', '/v1/messages/preflight', { ...sms, purpose: 'marketing', noDefer: true });
  assert.equal(refused.body.code, 'quiet_hours');
});

test('bad requests stay errors: 400 with the field, 404 for an unknown conversation, 403 without messages:send', async () => {
  const { apiKey } = await h.newOrg();
  const empty = await h.call(apiKey, 'POST', '/v1/messages/preflight', { channel: 'sms', to: sms.to });
  assert.equal(empty.status, 400);
  assert.equal(empty.body.error.details[0].field, '/body');
  const inbound = await h.call(apiKey, 'POST', '/v1/messages/preflight', { ...sms, direction: 'inbound' });
  assert.equal(inbound.status, 400);
  assert.equal(inbound.body.error.details[0].field, '/direction');
  const missing = await h.call(apiKey, 'POST', '/v1/messages/preflight', { body: 'hi', conversationId: '00000000-0000-4000-8000-000000000000' });
  assert.equal(missing.status, 404);
  const reader = await h.call(apiKey, 'POST', '/v1/api-keys', { name: 'reader', scopes: ['messages:read'] });
  const forbidden = await h.call(reader.body.secret, 'POST', '/v1/messages/preflight', sms);
  assert.equal(forbidden.status, 403);
  assert.equal(forbidden.body.error.code, 'forbidden');
});
