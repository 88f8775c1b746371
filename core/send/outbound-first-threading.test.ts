import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import nock from 'nock';
import type { Harness } from '../../test/harness.ts';
import { usePipeline } from '../../test/pipeline.ts';
import { ACCOUNT_SID, CUSTOMER, OUR_NUMBER, postTwilio, stored, syncEvents, twilioConnection, twilioMessageResource } from '../../test/connections.ts';
import { waitFor } from '../../test/wait.ts';
import { reply } from '../../test/nock-reply.ts';

/**
 * We speak first, the customer answers: the answer lands in the conversation we started, whoever
 * chose our sending address. The "tech en route" flow: a connection with `fromNumbers` and no
 * registered sender (the connector picks its default number), a later message that joins the
 * conversation by recency, and sandbox connections, which must record what a real send would
 * (the sender address, an email's Message-ID) so replies thread the same way.
 */
const pipeline = usePipeline();
let h: Harness;
before(async () => {
  h = await pipeline.ready;
});

const MESSAGES = `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;
type Events = Awaited<ReturnType<typeof syncEvents>>;
const inbound = (events: Events) => events.filter((e) => e.type === 'message.created' && e.data.message.direction === 'inbound');

const untilSent = (apiKey: string, id: string) =>
  waitFor(`message ${id} to be sent`, async () => {
    const m = (await h.call(apiKey, 'GET', `/v1/messages/${id}`)).body;
    return ['sent', 'delivered', 'read'].includes(m.status) ? m : null;
  }, 15_000, 50);

async function sendSms(apiKey: string, extra: Record<string, unknown> = {}) {
  const res = await h.call(apiKey, 'POST', '/v1/messages', { channel: 'sms', to: { handle: { kind: 'phone', value: CUSTOMER } }, body: 'Tech en route', ...extra });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { id: string; conversationId: string };
}

/** The customer texts our number back, signed as Twilio signs. */
async function customerAnswers(apiKey: string, inboundUrl: string, n: number) {
  const answer = { MessageSid: `SM${String(n).padStart(32, '0')}`, AccountSid: ACCOUNT_SID, From: CUSTOMER, To: OUR_NUMBER, Body: 'Thanks!', NumMedia: '0' };
  assert.equal((await postTwilio(inboundUrl, answer)).status, 200);
  return inbound(await syncEvents(h, apiKey, (events) => inbound(events).length >= n));
}

test('an SMS from the connection\'s default number (no registered sender): the customer\'s reply threads into our conversation, also after a message joined it by recency', async () => {
  const { apiKey, orgId } = await h.newOrg();
  const c = await twilioConnection(h, apiKey);
  let seen: Record<string, string> | undefined;
  nock('https://api.twilio.com')
    .post(MESSAGES, (b: Record<string, string>) => ((seen = { ...b }), true))
    .reply(...reply(201, twilioMessageResource('SM1f8e7d6c5b4a39281706f5e4d3c2b1a0', { body: 'Tech en route' })));
  const first = await sendSms(apiKey);
  const sent = await untilSent(apiKey, first.id);
  assert.equal(seen?.From, OUR_NUMBER, 'Twilio was asked to send from the connection\'s first number');
  assert.equal(sent.senderAddress, OUR_NUMBER, 'the message records the number it left from');
  assert.equal((await h.call(apiKey, 'GET', `/v1/conversations/${first.conversationId}`)).body.senderAddress, OUR_NUMBER);

  let replies = await customerAnswers(apiKey, c.inboundUrl, 1);
  assert.equal(replies[0]!.data.message.conversationId, first.conversationId, 'the reply joins the conversation we started');

  // A later notification names no conversation: it joins the latest one by recency, and the
  // customer's answer to it still threads there.
  nock('https://api.twilio.com').post(MESSAGES).reply(...reply(201, twilioMessageResource('SM2f8e7d6c5b4a39281706f5e4d3c2b1a0', { body: 'Arriving now' })));
  const second = await sendSms(apiKey, { body: 'Arriving now' });
  assert.equal(second.conversationId, first.conversationId);
  assert.equal((await untilSent(apiKey, second.id)).senderAddress, OUR_NUMBER);
  replies = await customerAnswers(apiKey, c.inboundUrl, 2);
  assert.deepEqual(replies.map((e) => e.data.message.conversationId), [first.conversationId, first.conversationId]);
  assert.equal((await stored(h, orgId)).conversations, 1);
});

test('a sandbox SMS records the number it would have left from: the reply threads as in production', async () => {
  const { apiKey, orgId } = await h.newOrg();
  const c = await twilioConnection(h, apiKey, { sandbox: true });
  const m = await sendSms(apiKey);
  const sent = await untilSent(apiKey, m.id);
  assert.match(sent.providerMessageId, /^SB/, 'no provider was called');
  assert.equal(sent.senderAddress, OUR_NUMBER);
  const replies = await customerAnswers(apiKey, c.inboundUrl, 1);
  assert.equal(replies[0]!.data.message.conversationId, m.conversationId);
  assert.equal((await stored(h, orgId)).conversations, 1);
});

const OURS = 'support@reply.acme-pm.com';

function inboundParse(fields: Record<string, string>): { body: string; type: string } {
  const boundary = 'xYzZY';
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  return { body: `${parts.join('')}--${boundary}--\r\n`, type: `multipart/form-data; boundary=${boundary}` };
}

test('a sandbox email records its Message-ID and sender: a reply whose In-Reply-To names it threads', async () => {
  const { apiKey, orgId } = await h.newOrg();
  // No reopen window: only the Message-ID can thread the customer's answer.
  await h.call(apiKey, 'PATCH', '/v1/org', { settings: { reopenWindowHours: 0 } });
  const c = (
    await h.call(apiKey, 'POST', '/v1/connections', {
      connector: 'sendgrid',
      name: 'SendGrid',
      config: { fromAddress: OURS, fromName: 'Acme' },
      secrets: { apiKey: 'SG.test-key-000000000000.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' },
      sandbox: true,
    })
  ).body;
  assert.ok(c.inboundUrl, JSON.stringify(c));
  const res = await h.call(apiKey, 'POST', '/v1/messages', { channel: 'email', to: { handle: { kind: 'email', value: 'jane.tenant@example.com' } }, subject: 'Your repair', body: 'A plumber comes at 2pm.' });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const sent = await untilSent(apiKey, res.body.id);
  assert.equal(sent.senderAddress, OURS);
  const ourId = await h.engine.tenant(orgId, async (tx) => {
    const row = await tx.trx('messages').where({ id: res.body.id }).first();
    return tx.crypto.decrypt(row.id, 'rfc_message_id', row.rfc_message_id_enc);
  });
  assert.equal(ourId, `${res.body.id}@reply.acme-pm.com`, 'the Message-ID the manifest gives a real send');

  const headers = [`From: Jane Tenant <jane.tenant@example.com>`, `To: ${OURS}`, 'Subject: Re: Your repair', 'Message-ID: <answer-1@mail.example.com>', `In-Reply-To: <${ourId}>`].join('\n');
  const { body, type } = inboundParse({
    headers,
    from: 'Jane Tenant <jane.tenant@example.com>',
    to: OURS,
    subject: 'Re: Your repair',
    text: 'Great, thanks',
    envelope: JSON.stringify({ to: [OURS], from: 'jane.tenant@example.com' }),
    charsets: JSON.stringify({ to: 'UTF-8', from: 'UTF-8', subject: 'UTF-8', text: 'UTF-8' }),
  });
  const post = await fetch(c.inboundUrl, { method: 'POST', headers: { 'content-type': type }, body });
  assert.equal(post.status, 200, await post.text());
  const replies = inbound(await syncEvents(h, apiKey, (events) => inbound(events).length >= 1));
  assert.equal(replies[0]!.data.message.conversationId, res.body.conversationId);
  assert.equal((await stored(h, orgId)).conversations, 1);
});
