import { test, beforeAll } from 'vitest';
import assert from 'node:assert/strict';
import nock from 'nock';
import type { Harness } from '../../test/harness.ts';
import { usePipeline } from '../../test/pipeline.ts';
import { waitFor } from '../../test/wait.ts';
import { ACCESS_TOKEN, fixtureBody, PHONE_NUMBER_ID, postNotification, statusNotification, whatsappConnection } from './testing.ts';

/**
 * WhatsApp outbound end to end: POST /v1/messages → the window preflight → relay → send job →
 * the Graph API (fetch, intercepted by nock) → signed status notifications through /v1/receive.
 */
const pipeline = usePipeline();
let h: Harness;
beforeAll(async () => {
  h = await pipeline.ready;
});

const CUSTOMER = '+14155550123';
const graph = () => nock('https://graph.facebook.com').matchHeader('authorization', `Bearer ${ACCESS_TOKEN}`);
const MESSAGES = `/v24.0/${PHONE_NUMBER_ID}/messages`;
const accepted = (id: string) => ({ messaging_product: 'whatsapp', contacts: [{ input: '14155550123', wa_id: '14155550123' }], messages: [{ id }] });

const getMessage = async (apiKey: string, id: string) => (await h.call(apiKey, 'GET', `/v1/messages/${id}`)).body;
const untilStatus = (apiKey: string, id: string, status: string) =>
  waitFor(`message ${id} to be ${status}`, async () => {
    const m = await getMessage(apiKey, id);
    return m.status === status ? m : null;
  }, 8_000, 50);

test('a reply inside the window → Graph text message → sent with the wamid → delivered → read', async () => {
  const c = await whatsappConnection(h);
  assert.equal((await postNotification(h, c.id, fixtureBody('inbound-text'))).status, 200);
  const conversations = await h.call(c.apiKey, 'GET', '/v1/conversations');
  const conversationId = conversations.body.data[0].id;

  const wamid = 'wamid.HBgLMTQxNTU1NTAxMjMVAgARGBJBQkNERUYwMTIzNDU2Nzg5AA==';
  let seen: unknown;
  graph().post(MESSAGES, (b) => ((seen = b), true)).reply(200, accepted(wamid));
  const sent = await h.call(c.apiKey, 'POST', '/v1/messages', { conversationId, body: 'A plumber comes at 3pm' });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
  const m = await untilStatus(c.apiKey, sent.body.id, 'sent');
  assert.deepEqual(seen, { messaging_product: 'whatsapp', recipient_type: 'individual', to: '14155550123', type: 'text', text: { preview_url: false, body: 'A plumber comes at 3pm' } });
  assert.deepEqual([m.providerMessageId, m.connectionId, m.channel], [wamid, c.id, 'whatsapp']);

  assert.equal((await postNotification(h, c.id, statusNotification(wamid, 'delivered'))).status, 200);
  assert.equal((await getMessage(c.apiKey, m.id)).status, 'delivered');
  assert.equal((await postNotification(h, c.id, statusNotification(wamid, 'read'))).status, 200);
  assert.equal((await getMessage(c.apiKey, m.id)).status, 'read');
});

test('outside the 24-hour window: free-form refused (422 window_closed), a template goes out', async () => {
  const c = await whatsappConnection(h);
  const to = { handle: { kind: 'whatsapp', value: CUSTOMER } };
  const refused = await h.call(c.apiKey, 'POST', '/v1/messages', { channel: 'whatsapp', to, body: 'Hello!' });
  assert.equal(refused.status, 422, JSON.stringify(refused.body));
  assert.equal(refused.body.error.code, 'window_closed');

  const wamid = 'wamid.HBgLMTQxNTU1NTAxMjMVAgARGBJURU1QTEFURTAwMDAwMDAxAA==';
  let seen: any;
  graph().post(MESSAGES, (b) => ((seen = b), true)).reply(200, { ...accepted(wamid), messages: [{ id: wamid, message_status: 'accepted' }] });
  const ok = await h.call(c.apiKey, 'POST', '/v1/messages', { channel: 'whatsapp', to, template: { id: 'visit_reminder', variables: { '1': 'Tuesday', '2': '3pm' } } });
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
  await waitFor('the template request', () => seen, 8_000, 50);
  assert.deepEqual(seen.template, {
    name: 'visit_reminder',
    language: { code: 'en_US' },
    components: [{ type: 'body', parameters: [{ type: 'text', text: 'Tuesday' }, { type: 'text', text: '3pm' }] }],
  });
  const m = await waitFor('the provider id', async () => {
    const got = await getMessage(c.apiKey, ok.body.id);
    return got.providerMessageId ? got : null;
  }, 8_000, 50);
  assert.equal(m.providerMessageId, wamid);
  assert.equal((await postNotification(h, c.id, statusNotification(wamid, 'delivered'))).status, 200);
  assert.equal((await getMessage(c.apiKey, m.id)).status, 'delivered');
});

test('Meta refusing with 131047 fails the message with the code, without a retry; a failed notification does the same', async () => {
  const c = await whatsappConnection(h);
  assert.equal((await postNotification(h, c.id, fixtureBody('inbound-text'))).status, 200);
  const conversationId = (await h.call(c.apiKey, 'GET', '/v1/conversations')).body.data[0].id;
  let calls = 0;
  graph()
    .post(MESSAGES, () => (calls++, true))
    .times(3)
    .reply(400, { error: { message: 'Re-engagement message', type: 'OAuthException', code: 131047, fbtrace_id: 'Ab12' } });
  const sent = await h.call(c.apiKey, 'POST', '/v1/messages', { conversationId, body: 'late answer' });
  const failed = await untilStatus(c.apiKey, sent.body.id, 'failed');
  assert.equal(failed.errorCode, '131047');
  assert.equal(calls, 1, 'window_closed is permanent');
  nock.cleanAll();

  const wamid = 'wamid.HBgLMTQxNTU1NTAxMjMVAgARGBJGQUlMRUQwMDAwMDAwMDAxAA==';
  graph().post(MESSAGES).reply(200, accepted(wamid));
  const second = await h.call(c.apiKey, 'POST', '/v1/messages', { conversationId, body: 'try again' });
  await untilStatus(c.apiKey, second.body.id, 'sent');
  assert.equal((await postNotification(h, c.id, statusNotification(wamid, 'failed', 131026))).status, 200);
  const undelivered = await getMessage(c.apiKey, second.body.id);
  assert.deepEqual([undelivered.status, undelivered.errorCode], ['failed', '131026']);
});
