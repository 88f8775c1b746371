import { test, beforeAll } from 'vitest';
import assert from 'node:assert/strict';
import nock from 'nock';
import type { Harness } from '../../test/harness.ts';
import { usePipeline } from '../../test/pipeline.ts';
import { ACCOUNT_SID, CUSTOMER, OUR_NUMBER, postTwilio, stored, syncEvents, twilioConnection, twilioMessageResource } from '../../test/connections.ts';
import { waitFor } from '../../test/wait.ts';
import { startRelay, type Relay } from '../events/relay.ts';
import { reply } from '../../test/nock-reply.ts';
import { createMemoryPacer } from '../ratelimit.ts';
import { runSendJob } from './job.ts';

/**
 * Outbound end to end: POST /v1/messages → relay → send job → the real twilio SDK against
 * Twilio's documented HTTP answers (nock) → signed status callbacks through /v1/receive.
 */
const pipeline = usePipeline();
let h: Harness;
beforeAll(async () => {
  h = await pipeline.ready;
});

const MESSAGES = `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;

/** nock 14 + the SDK's keep-alive: a mocked reply needs an explicit Content-Length or the client waits forever. */


const twilioError = (code: number, message: string, status: number) => ({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

async function send(apiKey: string, body: Record<string, unknown>) {
  const res = await h.call(apiKey, 'POST', '/v1/messages', { channel: 'sms', to: { handle: { kind: 'phone', value: CUSTOMER } }, body: 'Tech en route', ...body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.status, 'queued');
  return res.body as { id: string; conversationId: string };
}

const getMessage = async (apiKey: string, id: string) => (await h.call(apiKey, 'GET', `/v1/messages/${id}`)).body;
const untilStatus = (apiKey: string, id: string, status: string, ms = 8_000) =>
  waitFor(`message ${id} to be ${status}`, async () => {
    const m = await getMessage(apiKey, id);
    return m.status === status ? m : null;
  }, ms, 50);

test('send → Twilio API (real SDK, nock) → sent with the provider id → signed callback → delivered; replies thread', async () => {
  const { apiKey, orgId } = await h.newOrg();
  const c = await twilioConnection(h, apiKey);
  await h.call(apiKey, 'POST', `/v1/connections/${c.id}/senders`, { channel: 'sms', address: OUR_NUMBER, messagesPerSecond: 10, registrationStatus: 'approved', brandId: 'BN1', campaignId: 'CN1' });
  const sid = 'SM9f8e7d6c5b4a39281706f5e4d3c2b1a0';
  let seen: Record<string, string> | undefined;
  nock('https://api.twilio.com')
    .post(MESSAGES, (b: Record<string, string>) => ((seen = { ...b }), true))
    .reply(...reply(201, twilioMessageResource(sid, { body: 'Tech en route' })));
  const m = await send(apiKey, {});
  const sent = await untilStatus(apiKey, m.id, 'sent');
  assert.deepEqual(seen, { To: CUSTOMER, From: OUR_NUMBER, Body: 'Tech en route', StatusCallback: c.inboundUrl });
  assert.deepEqual([sent.providerMessageId, sent.connectionId, sent.senderAddress], [sid, c.id, OUR_NUMBER]);
  const conversation = (await h.call(apiKey, 'GET', `/v1/conversations/${m.conversationId}`)).body;
  assert.equal(conversation.senderAddress, OUR_NUMBER, 'the conversation now has the number replies come to');

  const callback = { AccountSid: ACCOUNT_SID, ApiVersion: '2010-04-01', MessageSid: sid, MessageStatus: 'delivered', SmsSid: sid, SmsStatus: 'delivered', From: OUR_NUMBER, To: CUSTOMER };
  const res = await postTwilio(c.inboundUrl, callback);
  assert.equal(res.status, 200, res.text);
  assert.equal((await getMessage(apiKey, m.id)).status, 'delivered');
  // A late "sent" callback does not move it back.
  assert.equal((await postTwilio(c.inboundUrl, { ...callback, MessageStatus: 'sent', SmsStatus: 'sent' })).status, 200);
  assert.equal((await getMessage(apiKey, m.id)).status, 'delivered');
  const ofMessage = (events: Awaited<ReturnType<typeof syncEvents>>) => events.filter((e) => e.type === 'message.status_changed' && e.subjectId === m.id);
  const changes = ofMessage(await syncEvents(h, apiKey, (events) => ofMessage(events).length >= 2));
  assert.deepEqual(changes.map((e) => [e.data.from, e.data.to]), [['queued', 'sent'], ['sent', 'delivered']]);

  // The customer answers the number: the reply joins the conversation.
  const answer = { MessageSid: 'SM00000000000000000000000000reply1', AccountSid: ACCOUNT_SID, From: CUSTOMER, To: OUR_NUMBER, Body: 'Thanks!', NumMedia: '0' };
  assert.equal((await postTwilio(c.inboundUrl, answer)).status, 200);
  const inbound = (events: Awaited<ReturnType<typeof syncEvents>>) => events.filter((e) => e.type === 'message.created' && e.data.message.direction === 'inbound');
  const replies = inbound(await syncEvents(h, apiKey, (events) => inbound(events).length > 0));
  assert.equal(replies.length, 1);
  assert.equal(replies[0]!.data.message.conversationId, m.conversationId);
  assert.equal((await stored(h, orgId)).conversations, 1);
});

test('21610 (unsubscribed recipient) → failed with recipient_opted_out, never retried', async () => {
  const { apiKey } = await h.newOrg();
  await twilioConnection(h, apiKey);
  let calls = 0;
  nock('https://api.twilio.com')
    .post(MESSAGES, () => (calls++, true))
    .times(3)
    .reply(...reply(400, twilioError(21610, 'Attempt to send to unsubscribed recipient', 400)));
  const m = await send(apiKey, {});
  const failed = await untilStatus(apiKey, m.id, 'failed');
  assert.equal(failed.errorCode, 'recipient_opted_out');
  assert.match(failed.errorMessage, /^recipient_opted_out: Twilio error 21610/);
  // A retry would come within the first backoff (≤ 1 s).
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal(calls, 1);
});

test('other permanent errors fail with the provider code; 429 with Retry-After is retried after it, then sent', async () => {
  const { apiKey } = await h.newOrg();
  await twilioConnection(h, apiKey);
  nock('https://api.twilio.com').post(MESSAGES).reply(...reply(400, twilioError(21211, "The 'To' number is not a valid phone number", 400)));
  const invalid = await send(apiKey, {});
  const failed = await untilStatus(apiKey, invalid.id, 'failed');
  assert.equal(failed.errorCode, '21211');

  const times: number[] = [];
  nock('https://api.twilio.com')
    .post(MESSAGES, () => (times.push(Date.now()), true))
    .reply(...reply(429, twilioError(20429, 'Too Many Requests', 429), { 'Retry-After': '1' }))
    .post(MESSAGES, () => (times.push(Date.now()), true))
    .reply(...reply(201, twilioMessageResource('SM11111111111111111111111111111111', { body: 'Tech en route' })));
  const m = await send(apiKey, {});
  const sent = await untilStatus(apiKey, m.id, 'sent');
  assert.equal(sent.providerMessageId, 'SM11111111111111111111111111111111');
  assert.equal(times.length, 2);
  assert.ok(times[1]! - times[0]! >= 950, `retried after ${times[1]! - times[0]!} ms, Retry-After was 1 s`);
});

test('a WhatsApp template goes out as ContentSid and ContentVariables', async () => {
  const { apiKey } = await h.newOrg();
  await twilioConnection(h, apiKey, { config: { fromNumbers: [`whatsapp:${OUR_NUMBER}`] } });
  let seen: Record<string, string> | undefined;
  nock('https://api.twilio.com')
    .post(MESSAGES, (b: Record<string, string>) => ((seen = { ...b }), true))
    .reply(...reply(201, twilioMessageResource('SM22222222222222222222222222222222', { to: `whatsapp:${CUSTOMER}`, body: 'Tech en route' })));
  const template = { id: 'HXb5b62575e6e4ff6129ad7c8efe1f983e', variables: { '1': '12/1', '2': '3pm' } };
  const m = await send(apiKey, { channel: 'whatsapp', to: { handle: { kind: 'whatsapp', value: CUSTOMER } }, body: undefined, template });
  await untilStatus(apiKey, m.id, 'sent');
  assert.deepEqual(seen, {
    To: `whatsapp:${CUSTOMER}`,
    From: `whatsapp:${OUR_NUMBER}`,
    ContentSid: template.id,
    ContentVariables: '{"1":"12/1","2":"3pm"}',
    StatusCallback: `${h.baseUrl}/v1/receive/${(await h.call(apiKey, 'GET', '/v1/connections')).body.data[0].id}`,
  });
});

test('no connection for the channel → failed with no_connection', async () => {
  const { apiKey } = await h.newOrg();
  const m = await send(apiKey, {});
  const failed = await untilStatus(apiKey, m.id, 'failed');
  assert.equal(failed.errorCode, 'no_connection');
});

test('a status callback that overtakes the send is kept as unmatched, then applied once the send is recorded', async () => {
  const { apiKey, orgId } = await h.newOrg();
  const c = await twilioConnection(h, apiKey);
  const sid = 'SM33333333333333333333333333333333';
  // Twilio calls back "delivered" before our own transaction recording the send has committed.
  const early = await postTwilio(c.inboundUrl, { AccountSid: ACCOUNT_SID, MessageSid: sid, MessageStatus: 'delivered', SmsSid: sid, SmsStatus: 'delivered' });
  assert.equal(early.status, 200, 'acknowledged: the request is archived');
  const archived = await h.engine.tenant(orgId, (tx) => tx.trx('raw_inbound').where({ connection_id: c.id }).first());
  assert.deepEqual([archived.status, archived.provider_message_ids], ['unmatched', [sid]]);
  nock('https://api.twilio.com').post(MESSAGES).reply(...reply(201, twilioMessageResource(sid, { body: 'Tech en route' })));
  const m = await send(apiKey, {});
  const delivered = await untilStatus(apiKey, m.id, 'delivered');
  assert.equal(delivered.providerMessageId, sid);
  const after = await h.engine.tenant(orgId, (tx) => tx.trx('raw_inbound').where({ id: archived.id }).first());
  assert.equal(after.status, 'processed');
});

test('a second send in a conversation that has its number goes from it; the job run again after the provider accepted sends nothing twice', async () => {
  const { apiKey, orgId } = await h.newOrg();
  const c = await twilioConnection(h, apiKey);
  await h.call(apiKey, 'POST', `/v1/connections/${c.id}/senders`, { channel: 'sms', address: OUR_NUMBER, registrationStatus: 'approved', brandId: 'BN1', campaignId: 'CN1' });
  const sids = ['SM1f8e7d6c5b4a39281706f5e4d3c2b1a0', 'SM2f8e7d6c5b4a39281706f5e4d3c2b1a0'];
  const froms: string[] = [];
  for (const sid of sids) {
    nock('https://api.twilio.com')
      .post(MESSAGES, (b: Record<string, string>) => (froms.push(b.From!), true))
      .reply(...reply(201, twilioMessageResource(sid, { body: 'Tech en route' })));
  }
  const first = await send(apiKey, {});
  await untilStatus(apiKey, first.id, 'sent');
  const second = await send(apiKey, { conversationId: first.conversationId, to: undefined, channel: undefined });
  const sent = await untilStatus(apiKey, second.id, 'sent');
  assert.deepEqual(froms, [OUR_NUMBER, OUR_NUMBER]);
  assert.deepEqual([sent.providerMessageId, sent.connectionId, sent.senderAddress], [sids[1], c.id, OUR_NUMBER]);

  // A retried job (the worker died after the provider accepted and the row was recorded): no request, no change.
  const before = await syncEvents(h, apiKey);
  const job = { id: `send:again`, name: 'message.created', attempt: 2, data: { eventId: 'again', orgId, type: 'message.created', conversationId: second.conversationId, subjectId: second.id, cursor: '0' } };
  await runSendJob(h.engine, createMemoryPacer(), job);
  assert.ok(nock.isDone(), 'no request is left over');
  assert.deepEqual(await getMessage(apiKey, second.id), sent);
  const after = await syncEvents(h, apiKey);
  assert.equal(after.length, before.length, 'no event was written');
  const threaded = after.filter((e) => e.type === 'conversation.updated' && e.subjectId === first.conversationId && (e.data.changes as string[] | undefined)?.includes('senderAddress'));
  assert.equal(threaded.length, 1, 'the conversation took its number once');
  const changes = after.filter((e) => e.type === 'message.status_changed' && e.subjectId === second.id);
  assert.deepEqual(changes.map((e) => [e.data.from, e.data.to]), [['queued', 'sent']]);
});
