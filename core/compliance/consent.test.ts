import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startHarness, type Harness } from '../../test/harness.ts';
import { OUR_NUMBER, postTwilio, twilioConnection } from '../../test/connections.ts';
import { createMemoryPacer } from '../ratelimit.ts';
import { runSendJob } from '../send/job.ts';
import { DEFAULT_KEYWORDS } from './keywords.ts';

/**
 * Consent end to end over real connections: signed Twilio webhooks carrying keywords → ledger +
 * one reply; the send preflight at request time (422) and in the send job (blocked); the single
 * confirmation after an opt-out; the consents API. The relay is not started: send jobs are run
 * here, one by one, so each decision is observed.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const sid = () => `SM${crypto.randomBytes(16).toString('hex')}`;
// Distinct numbers per test file (random ones collided now and then: ~20 per test).
let nextPhone = 1000;
const phone = () => `+1415555${nextPhone++}`;
const pacer = createMemoryPacer();

async function setup() {
  const org = await h.newOrg('Acme Property');
  const c = await twilioConnection(h, org.apiKey, { sandbox: true });
  const inbound = (from: string, body: string, extra: Record<string, string> = {}) =>
    postTwilio(c.inboundUrl, { MessageSid: sid(), AccountSid: 'AC3f5e0c7a9b2d4e6f8a1b3c5d7e9f1a2b', From: from, To: OUR_NUMBER, Body: body, NumMedia: '0', ...extra });
  const history = async (value: string) => (await h.call(org.apiKey, 'GET', `/v1/consents?handle[kind]=phone&handle[value]=${encodeURIComponent(value)}`)).body;
  const replies = (orgId = org.orgId) =>
    h.engine.tenant(orgId, (tx) => tx.trx('messages').where({ direction: 'outbound' }).whereRaw(`metadata->>'compliance' = 'confirmation'`).orderBy('created_at'));
  const runJob = (messageId: string) => runSendJob(h.engine, pacer, { id: `send:${messageId}`, name: 'message.created', attempt: 1, data: { orgId: org.orgId, subjectId: messageId } as any });
  const statusOf = async (id: string) => (await h.call(org.apiKey, 'GET', `/v1/messages/${id}`)).body;
  return { ...org, c, inbound, history, replies, runJob, statusOf };
}

test('every default keyword, any case and padding, writes the ledger (both purposes) and queues one reply; others do not', async () => {
  const s = await setup();
  const expect = { opt_out: 'opted_out', opt_in: 'opted_in' } as const;
  let replies = 0;
  for (const kind of ['opt_out', 'opt_in', 'help'] as const) {
    for (const keyword of DEFAULT_KEYWORDS[kind]) {
      const from = phone();
      const body = `  ${keyword.toLowerCase()}\n`;
      assert.equal((await s.inbound(from, body)).status, 200);
      const hist = await s.history(from);
      if (kind === 'help') assert.equal(hist.history.length, 0, 'HELP changes no consent');
      else {
        assert.deepEqual(hist.history.map((e: any) => [e.channel, e.purpose, e.status, e.source, e.evidence.keyword]).sort(), [
          ['sms', 'marketing', expect[kind], 'keyword', keyword],
          ['sms', 'transactional', expect[kind], 'keyword', keyword],
        ], keyword);
        assert.ok(typeof hist.history[0].evidence.messageId === 'string');
        assert.ok(!JSON.stringify(hist).includes(from.slice(2)), 'no phone number in the ledger');
      }
      replies++;
      assert.equal((await s.replies()).length, replies, `one reply to ${keyword}`);
    }
  }
  const all = await s.replies();
  const help = all.find((m: any) => m.metadata.keyword === 'help');
  const body = (await s.statusOf(help.id)).body as string;
  for (const part of ['Acme Property', 'Msg&data rates may apply', 'STOP', 'Msg frequency varies']) assert.ok(body.includes(part), part);
  // Not keywords: two words, a sentence containing STOP.
  const from = phone();
  await s.inbound(from, 'STOP PLEASE');
  await s.inbound(from, 'please stop texting me');
  assert.equal((await s.history(from)).history.length, 0);
  assert.equal((await s.replies()).length, replies);
});

test('org keywords extend the defaults (never replace them); custom reply texts are used', async () => {
  const s = await setup();
  const patch = await h.call(s.apiKey, 'PATCH', '/v1/org', { settings: { consent: { keywords: { optOut: ['ALTO'] }, replies: { optOut: '{org}: bye. Reply START.' }, helpContact: 'help@acme.test' } } });
  assert.equal(patch.status, 200, JSON.stringify(patch.body));
  const a = phone();
  const b = phone();
  await s.inbound(a, 'alto');
  await s.inbound(b, 'STOP');
  assert.equal((await s.history(a)).current[0].status, 'opted_out');
  assert.equal((await s.history(b)).current[0].status, 'opted_out');
  const texts = await Promise.all((await s.replies()).map(async (m: any) => (await s.statusOf(m.id)).body));
  assert.deepEqual(texts, ['Acme Property: bye. Reply START.', 'Acme Property: bye. Reply START.']);
});

test("Twilio Advanced Opt-Out (OptOutType): ledger from the provider, no second reply", async () => {
  const s = await setup();
  const from = phone();
  await s.inbound(from, 'STOP', { OptOutType: 'STOP' });
  const hist = await s.history(from);
  assert.deepEqual(hist.current.map((e: any) => [e.status, e.source]), [['opted_out', 'provider'], ['opted_out', 'provider']]);
  assert.equal((await s.replies()).length, 0);
});

test('opted out: the API refuses (422 recipient_opted_out, audited); START restores; the job blocks a message queued before the opt-out', async () => {
  const s = await setup();
  const from = phone();
  const to = { handle: { kind: 'phone', value: from } };
  const queued = await h.call(s.apiKey, 'POST', '/v1/send', { to, channel: 'sms', body: 'Rent reminder', purpose: 'transactional' });
  assert.equal(queued.status, 201);
  await s.inbound(from, 'STOP');
  for (const purpose of ['transactional', 'marketing']) {
    const refused = await h.call(s.apiKey, 'POST', '/v1/send', { to, channel: 'sms', body: 'Hello', purpose });
    assert.equal(refused.status, 422);
    assert.equal(refused.body.error.code, 'recipient_opted_out');
    assert.match(refused.body.error.message, /opted out/);
  }
  const mms = await h.call(s.apiKey, 'POST', '/v1/messages', { to, channel: 'mms', body: 'Photo', media: [{ url: 'https://example.test/a.jpg' }] });
  assert.equal(mms.body.error?.code, 'recipient_opted_out', 'sms covers mms');
  const audit = await h.call(s.apiKey, 'GET', '/v1/audit?action=message.refused');
  assert.ok((audit.body.data ?? audit.body.entries ?? []).length >= 3 || JSON.stringify(audit.body).includes('recipient_opted_out'), JSON.stringify(audit.body).slice(0, 300));
  // The job: the earlier message is blocked, with the reason.
  await s.runJob(queued.body.id);
  const m = await s.statusOf(queued.body.id);
  assert.deepEqual([m.status, m.errorCode], ['blocked', 'recipient_opted_out']);
  // The confirmation reply leaves once; a second confirmation (HELP after STOP) is blocked.
  const [confirm] = await s.replies();
  await s.runJob(confirm.id);
  assert.equal((await s.statusOf(confirm.id)).status, 'sent');
  await s.inbound(from, 'HELP');
  const second = (await s.replies())[1];
  await s.runJob(second.id);
  assert.deepEqual([(await s.statusOf(second.id)).status, (await s.statusOf(second.id)).errorCode], ['blocked', 'recipient_opted_out']);
  // START: sends pass again.
  await s.inbound(from, 'start');
  assert.equal((await h.call(s.apiKey, 'POST', '/v1/send', { to, channel: 'sms', body: 'Welcome back' })).status, 201);
});

test('reserved metadata keys cannot be set through the API (no forged confirmation)', async () => {
  const s = await setup();
  const res = await h.call(s.apiKey, 'POST', '/v1/messages', { to: { handle: { kind: 'phone', value: phone() } }, channel: 'sms', body: 'x', metadata: { compliance: 'confirmation' } });
  assert.equal(res.status, 400);
  assert.equal(res.body.error.details[0].field, '/metadata/compliance');
});

test('consents API: record an opt-in with evidence (audited), history by handle and contact, CSV export; org isolation', async () => {
  const s = await setup();
  const value = phone();
  const handle = { kind: 'phone', value };
  const rec = await h.call(s.apiKey, 'POST', '/v1/consents', { handle, channel: 'sms', purpose: 'marketing', status: 'opted_in', source: 'form', evidence: { formUrl: 'https://acme.test/signup', ip: '203.0.113.9', textShown: 'I agree to receive offers' } });
  assert.equal(rec.status, 201, JSON.stringify(rec.body));
  assert.deepEqual(rec.body.data.map((e: any) => [e.channel, e.purpose, e.status, e.source, e.evidence.formUrl]), [['sms', 'marketing', 'opted_in', 'form', 'https://acme.test/signup']]);
  const contact = await h.call(s.apiKey, 'POST', '/v1/contacts', { name: 'Ann', handles: [handle] });
  const byContact = await h.call(s.apiKey, 'GET', `/v1/consents?contactId=${contact.body.id}`);
  assert.equal(byContact.body.history.length, 1);
  const csv = await fetch(`${h.baseUrl}/v1/consents/export.csv`, { headers: { authorization: `Bearer ${s.apiKey}` } });
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type')!, /^text\/csv/);
  const text = await csv.text();
  assert.ok(text.startsWith('id,handle_kind,handle_index'));
  assert.ok(text.includes('"form"') && !text.includes(value.slice(2)));
  const audit = JSON.stringify((await h.call(s.apiKey, 'GET', '/v1/audit')).body);
  assert.ok(audit.includes('consent.recorded') && audit.includes('consent.exported'));
  const other = await h.newOrg();
  assert.equal((await h.call(other.apiKey, 'GET', `/v1/consents?handle[kind]=phone&handle[value]=${encodeURIComponent(value)}`)).body.history.length, 0);
  assert.equal((await h.call(other.apiKey, 'GET', `/v1/consents?contactId=${contact.body.id}`)).status, 404);
  const bad = await h.call(s.apiKey, 'POST', '/v1/consents', { channel: 'sms', status: 'opted_in' });
  assert.equal(bad.status, 400);
  // Append-only, whoever asks through the app role.
  await assert.rejects(h.engine.tenant(s.orgId, (tx) => tx.trx('consents').update({ status: 'opted_out' }).returning('id')), /append-only|permission denied/);
});
