import { test, beforeAll } from 'vitest';
import assert from 'node:assert/strict';
import nock from 'nock';
import type { Harness } from '../../test/harness.ts';
import { usePipeline } from '../../test/pipeline.ts';
import { syncEvents } from '../../test/connections.ts';
import { waitFor } from '../../test/wait.ts';
import { startRelay, type Relay } from '../events/relay.ts';
import { reply } from '../../test/nock-reply.ts';

/**
 * Email both ways through SendGrid: an Inbound Parse post starts a conversation; our reply goes
 * out with In-Reply-To / References naming the customer's Message-ID (SendGrid API via the real
 * @sendgrid/mail SDK, nock at HTTP level); the customer's answer, naming OUR Message-ID, threads
 * back into the same conversation.
 */
const pipeline = usePipeline();
let h: Harness;
beforeAll(async () => {
  h = await pipeline.ready;
});

const OURS = 'support@reply.acme-pm.com';

function inboundParse(fields: Record<string, string>): { body: string; type: string } {
  const boundary = 'xYzZY';
  const parts = Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  return { body: `${parts.join('')}--${boundary}--\r\n`, type: `multipart/form-data; boundary=${boundary}` };
}

async function postEmail(url: string, m: { messageId: string; inReplyTo?: string; subject: string; text: string }) {
  const headers = [
    `From: Jane Tenant <jane.tenant@example.com>`,
    `To: ${OURS}`,
    `Subject: ${m.subject}`,
    `Message-ID: <${m.messageId}>`,
    ...(m.inReplyTo ? [`In-Reply-To: <${m.inReplyTo}>`, `References: <${m.inReplyTo}>`] : []),
  ].join('\n');
  const { body, type } = inboundParse({
    headers,
    from: 'Jane Tenant <jane.tenant@example.com>',
    to: OURS,
    subject: m.subject,
    text: m.text,
    envelope: JSON.stringify({ to: [OURS], from: 'jane.tenant@example.com' }),
    charsets: JSON.stringify({ to: 'UTF-8', from: 'UTF-8', subject: 'UTF-8', text: 'UTF-8' }),
  });
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
  await res.arrayBuffer();
  return res.status;
}

test('email threads both ways: our reply names the customer message, the customer answer names ours', async () => {
  const { apiKey } = await h.newOrg();
  // No reopen window: only the Message-ID headers can thread the customer's answer.
  await h.call(apiKey, 'PATCH', '/v1/org', { settings: { reopenWindowHours: 0 } });
  const c = (
    await h.call(apiKey, 'POST', '/v1/connections', {
      connector: 'sendgrid',
      wire: false,
      name: 'SendGrid',
      config: { fromAddress: OURS, fromName: 'Acme' },
      secrets: { apiKey: 'SG.test-key-000000000000.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' },
    })
  ).body;
  assert.ok(c.inboundUrl, JSON.stringify(c));

  assert.equal(await postEmail(c.inboundUrl, { messageId: 'first-1@mail.example.com', subject: 'Leak in 4B', text: 'The sink leaks.' }), 200);
  const inbound = await waitFor('the inbound email', async () => {
    const list = (await h.call(apiKey, 'GET', '/v1/conversations')).body.data;
    return list.length ? list[0] : null;
  });

  let mail: any;
  nock('https://api.sendgrid.com')
    .post('/v3/mail/send', (b: any) => ((mail = b), true))
    .reply(...reply(202, '', { 'x-message-id': 'sg-msg-0001' }));
  const answer = await h.call(apiKey, 'POST', '/v1/messages', { conversationId: inbound.id, body: 'A plumber comes at 2pm.', subject: 'Re: Leak in 4B' });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  await waitFor('the reply to be sent', async () => ((await h.call(apiKey, 'GET', `/v1/messages/${answer.body.id}`)).body.status === 'sent' ? true : null), 8_000, 50);
  const headers = mail.headers as Record<string, string>;
  assert.match(headers['In-Reply-To'], /first-1@mail\.example\.com/);
  assert.match(headers.References, /first-1@mail\.example\.com/);
  const ourId = /<([^>]+)>/.exec(headers['Message-ID'])![1]!;

  // The customer answers our reply in a mail client that keeps only In-Reply-To/References.
  assert.equal(await postEmail(c.inboundUrl, { messageId: 'second-2@mail.example.com', inReplyTo: ourId, subject: 'Re: Re: Leak in 4B', text: 'Great, thanks' }), 200);
  const created = (events: Awaited<ReturnType<typeof syncEvents>>) => events.filter((e) => e.type === 'message.created' && e.data.message.direction === 'inbound');
  const answers = created(await syncEvents(h, apiKey, (events) => created(events).length >= 2));
  assert.deepEqual(answers.map((e) => e.data.message.conversationId), [inbound.id, inbound.id]);
});
