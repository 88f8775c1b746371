import { test, beforeAll } from 'vitest';
import assert from 'node:assert/strict';
import nock from 'nock';
import type { Harness } from '../test/harness.ts';
import { usePipeline } from '../test/pipeline.ts';
import { ACCOUNT_SID, OUR_NUMBER, syncEvents, twilioConnection, twilioMessageResource } from '../test/connections.ts';
import { reply } from '../test/nock-reply.ts';
import { waitFor } from '../test/wait.ts';
import { runPollerOnce } from '../core/connections/poller.ts';
import { mockApi, mockToken, SECRETS, TENANT } from '../connectors/servicetitan/nock-api.ts';

/**
 * Done means (issue 5, "tech en route"): a ServiceTitan appointment dispatched to a technician is
 * polled through the engine (client-credentials token and JPM / CRM / Dispatch v2 answers from the
 * connector's fixtures, nock) → servicetitan.job.dispatched → a rule made through POST /v1/rules →
 * send_message ["sms", "email"] → the real Twilio SDK sends the SMS to the customer's mobile, and
 * a customer with an email only gets it by email (the real @sendgrid/mail SDK). Polling the same
 * page again sends nothing twice.
 *
 * The fixture page holds both customers: Dana Whitfield (mobile 4155550134 + email; technician
 * Marcus Reyes) and Lee Okafor (email only; Priya Natarajan), and a "Hold" appointment that fires nothing.
 */
const pipeline = usePipeline({ rules: true });
let h: Harness;
beforeAll(async () => {
  h = await pipeline.ready;
});

const DANA_PHONE = '+14155550134';
const LEE_EMAIL = 'lee.okafor@example.com';
const FROM_EMAIL = 'dispatch@acme-hvac.example.com';
const MESSAGES = `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;
const BODY = 'Hi {{contact.name}}, {{event.data.technician.name}} from Acme HVAC is on the way for job {{event.data.job.number}}.';
const SENT = ['sent', 'delivered', 'read'];


async function connect(apiKey: string) {
  const twilio = await twilioConnection(h, apiKey);
  // A US long code sends A2P SMS only with an approved 10DLC campaign (the preflight checks it).
  const sender = await h.call(apiKey, 'POST', `/v1/connections/${twilio.id}/senders`, { channel: 'sms', address: OUR_NUMBER, messagesPerSecond: 10, registrationStatus: 'approved', brandId: 'BN3f5e0c7a', campaignId: 'CN9b2d4e6f' });
  assert.equal(sender.status, 201, JSON.stringify(sender.body));
  const sendgrid = await h.call(apiKey, 'POST', '/v1/connections', {
    connector: 'sendgrid',
    wire: false,
    name: 'SendGrid',
    // The rule gives no subject: the connection's default is the email's.
    config: { fromAddress: FROM_EMAIL, fromName: 'Acme HVAC', defaultSubject: 'Your technician is on the way' },
    secrets: { apiKey: 'SG.e2e-test-key-0000000.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' },
  });
  assert.equal(sendgrid.status, 201, JSON.stringify(sendgrid.body));
  const servicetitan = await h.call(apiKey, 'POST', '/v1/connections', {
    connector: 'servicetitan',
    name: 'ServiceTitan',
    config: { tenantId: TENANT, startFrom: '2026-11-27T14:00:00.000Z' },
    secrets: SECRETS,
  });
  assert.equal(servicetitan.status, 201, JSON.stringify(servicetitan.body));
}

test('ServiceTitan job dispatched → poller → rule → "tech en route" SMS with the technician, email when the customer has no phone; a re-poll sends nothing twice', async () => {
  const { apiKey, orgId } = await h.newOrg();
  await connect(apiKey);
  const rule = await h.call(apiKey, 'POST', '/v1/rules', {
    name: 'Tech en route',
    trigger: 'servicetitan.job.dispatched',
    condition: { and: [{ '==': [{ var: 'event.data.appointment.status' }, 'Dispatched'] }, { '!!': [{ var: 'event.data.technician.name' }] }] },
    actions: [{ type: 'send_message', channel: ['sms', 'email'], body: BODY }],
  });
  assert.equal(rule.status, 201, JSON.stringify(rule.body));

  const token = mockToken('st-e2e-token');
  const { seen } = mockApi('st-e2e-token');
  const sms: Record<string, string>[] = [];
  const twilio = nock('https://api.twilio.com')
    .post(MESSAGES, (form: Record<string, string>) => (sms.push({ ...form }), true))
    .reply(() => reply(201, twilioMessageResource('SM6a1f0c2e9b8d7a6f5e4d3c2b1a0f9e8d', { to: sms.at(-1)!.To, from: sms.at(-1)!.From, body: sms.at(-1)!.Body })));
  const mail: any[] = [];
  const sendgrid = nock('https://api.sendgrid.com')
    .post('/v3/mail/send', (body: unknown) => (mail.push(body), true))
    .reply(() => reply(202, '', { 'x-message-id': 'W2nq3xYtRkCk1m8vO0cZ5A' }));

  const first = await runPollerOnce(h.engine);
  assert.deepEqual([first.failed, first.events], [0, 2], 'one page, two dispatched appointments (the Hold one fires nothing)');
  assert.ok(token.isDone(), 'the engine minted the token with the client credentials');

  type Row = { id: string; channel: string; status: string; error_code: string | null; contact_id: string; body_enc: Uint8Array; metadata: any };
  const outbound = () => h.engine.tenant(orgId, (tx) => tx.trx('messages').where({ direction: 'outbound' }).orderBy('created_at')) as Promise<Row[]>;
  const sent = (await waitFor('both messages sent', async () => {
    const rows = await outbound();
    const stopped = rows.find((m) => !SENT.includes(m.status) && m.status !== 'queued');
    if (stopped) assert.fail(`a ${stopped.channel} message stopped at ${stopped.status} (${stopped.error_code})`);
    return rows.length === 2 && rows.every((m) => SENT.includes(m.status)) ? rows : null;
  }, 15_000, 50))!;
  const bodyOf = (m: Row) => h.engine.tenant(orgId, async (tx) => tx.crypto.decrypt(m.id, 'body', Buffer.from(m.body_enc)));

  // Which event the rules worker takes first is not fixed: match by channel.
  const events = (await syncEvents(h, apiKey)).filter((e) => e.type === 'servicetitan.job.dispatched');
  const contactOf = (technician: string) => events.find((e) => e.data.technician.name === technician)!.data.contactId;
  const bySms = sent.find((m) => m.channel === 'sms')!;
  const byEmail = sent.find((m) => m.channel === 'email')!;
  assert.ok(bySms && byEmail, JSON.stringify(sent.map((m) => m.channel)));

  // Dana has a mobile: SMS, through the Twilio API, with Marcus's name.
  assert.equal(bySms.contact_id, contactOf('Marcus Reyes'));
  assert.equal(await bodyOf(bySms), 'Hi Dana Whitfield, Marcus Reyes from Acme HVAC is on the way for job 61234400.');
  assert.ok(twilio.isDone());
  assert.equal(sms.length, 1);
  assert.deepEqual([sms[0]!.To, sms[0]!.From, sms[0]!.Body], [DANA_PHONE, OUR_NUMBER, 'Hi Dana Whitfield, Marcus Reyes from Acme HVAC is on the way for job 61234400.']);
  assert.equal(bySms.metadata.rule.id, rule.body.id);

  // Lee has an email only: SMS is skipped, the email goes out through SendGrid with Priya's name.
  assert.equal(byEmail.contact_id, contactOf('Priya Natarajan'));
  assert.equal(await bodyOf(byEmail), 'Hi Lee Okafor, Priya Natarajan from Acme HVAC is on the way for job 61234700.');
  assert.ok(sendgrid.isDone());
  assert.equal(mail.length, 1);
  assert.deepEqual(mail[0].personalizations.map((p: any) => p.to), [[{ email: LEE_EMAIL }]]);
  assert.equal(mail[0].subject, 'Your technician is on the way');
  assert.deepEqual(mail[0].content, [{ type: 'text/plain', value: 'Hi Lee Okafor, Priya Natarajan from Acme HVAC is on the way for job 61234700.' }]);

  // The next poll asks from the newest change seen and gets the same page back (the window is
  // inclusive): every appointment:status is already known, so no event and no message follows.
  await h.engine.tenant(orgId, (tx) => tx.trx('poll_schedules').update({ next_run_at: tx.trx.raw(`now() - interval '1 second'`) }).returning('connection_id'));
  const again = await runPollerOnce(h.engine);
  assert.deepEqual([again.failed, again.pages, again.events], [0, 1, 0]);
  assert.deepEqual(seen, ['2026-11-27T14:00:00.000Z', '2026-11-27T14:50:00Z']);
  const executions = async () => (await h.call(apiKey, 'GET', `/v1/rules/${rule.body.id}/executions`)).body.data as unknown[];
  // Nothing new was appended, so nothing can trigger; a moment for a stray job to show itself anyway.
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal((await outbound()).length, 2);
  assert.equal((await executions()).length, 2);
  assert.equal((await syncEvents(h, apiKey)).filter((e) => e.type === 'servicetitan.job.dispatched').length, 2);
});
