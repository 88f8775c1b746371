import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startHarness, type Harness } from '../../test/harness.ts';
import { OUR_NUMBER, twilioConnection } from '../../test/connections.ts';
import { createMemoryPacer } from '../ratelimit.ts';
import { RetryLater } from '../queue/queue.ts';
import { runSendJob } from '../send/job.ts';
import { nextAllowedTime, recipientZones } from './quiet-hours.ts';
import { isUsLongCode } from './preflight.ts';
import { reply } from '../../test/nock-reply.ts';

/** The send preflight's quiet hours, 10DLC and HIPAA rules, at request time (422 / deferral) and in the send job. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const WINDOW = { start: '08:00', end: '21:00' };
const num = (area: string) => `+1${area}555${String(crypto.randomInt(1000, 9999))}`;

test('quiet hours across time zones: contact zone, area code, conservative country fallback, org zone', () => {
  // 2026-11-27 15:00 UTC = 10:00 New York, 07:00 Los Angeles, 05:00 Honolulu.
  const now = new Date('2026-11-27T15:00:00Z');
  assert.equal(nextAllowedTime(now, recipientZones({ phone: '+12125550100' }), WINDOW), null, 'NYC 10:00: inside');
  assert.equal(nextAllowedTime(now, recipientZones({ phone: '+14155550100' }), WINDOW)?.toISOString(), '2026-11-27T16:00:00.000Z', 'SF 07:00 → 08:00 PT');
  assert.equal(nextAllowedTime(now, recipientZones({ phone: '+18085550100' }), WINDOW)?.toISOString(), '2026-11-27T18:00:00.000Z', 'Honolulu');
  // The contact's own zone wins over the number.
  assert.equal(nextAllowedTime(now, recipientZones({ contactTimezone: 'Europe/Paris', phone: '+14155550100' }), WINDOW), null, 'Paris 16:00');
  // Unknown area code (a non-geographic 500 number): every US zone must be inside → Honolulu 08:00.
  assert.deepEqual(recipientZones({ phone: '+15005550100' }).length, 7);
  assert.equal(nextAllowedTime(now, recipientZones({ phone: '+15005550100' }), WINDOW)?.toISOString(), '2026-11-27T18:00:00.000Z');
  // Late evening: 02:30 UTC = 21:30 New York → next day 08:00 New York.
  assert.equal(nextAllowedTime(new Date('2026-11-28T02:30:00Z'), ['America/New_York'], WINDOW)?.toISOString(), '2026-11-28T13:00:00.000Z');
  // No phone, no contact zone: the org's.
  assert.deepEqual(recipientZones({ orgTimezone: 'Asia/Tokyo' }), ['Asia/Tokyo']);
  assert.deepEqual(recipientZones({ orgTimezone: 'Not/AZone' }), ['UTC']);
  assert.deepEqual(recipientZones({ phone: '+442071838750' }), ['Europe/London']);
  // Overnight windows.
  assert.equal(nextAllowedTime(new Date('2026-11-27T23:00:00Z'), ['UTC'], { start: '22:00', end: '06:00' }), null);
  assert.equal(nextAllowedTime(new Date('2026-11-27T12:00:00Z'), ['UTC'], { start: '22:00', end: '06:00' })?.toISOString(), '2026-11-27T22:00:00.000Z');
});

test('US long codes: toll-free, Canadian and short codes are not 10DLC', () => {
  assert.equal(isUsLongCode('+14155550199'), true);
  assert.equal(isUsLongCode('+18885550199'), false);
  assert.equal(isUsLongCode('+14165550199'), false, 'Toronto');
  assert.equal(isUsLongCode('12345'), false);
});

/** A window that contains "now" in New York but not in Los Angeles (3 h behind), whatever the time of the run. */
function nyOnlyWindow() {
  const hour = Number(new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: '2-digit', hourCycle: 'h23' }).format(new Date()));
  const hh = (n: number) => `${String(((n % 24) + 24) % 24).padStart(2, '0')}:00`;
  return { start: hh(hour), end: hh(hour + 2) };
}

test('marketing in quiet hours: deferred (queued with deferredUntil, the job waits) or refused with noDefer; transactional passes', async () => {
  const org = await h.newOrg();
  await twilioConnection(h, org.apiKey, { sandbox: true });
  assert.equal((await h.call(org.apiKey, 'PATCH', '/v1/org', { settings: { quietHours: nyOnlyWindow() } })).status, 200);
  const send = (value: string, extra: Record<string, unknown>) =>
    h.call(org.apiKey, 'POST', '/v1/send', { to: { handle: { kind: 'phone', value } }, channel: 'sms', body: '20% off this weekend', ...extra });
  const ny = await send(num('212'), { purpose: 'marketing' });
  assert.equal(ny.status, 201);
  assert.equal(ny.body.metadata.deferredUntil, undefined, 'inside the window in New York');
  const la = await send(num('415'), { purpose: 'marketing' });
  assert.equal(la.status, 201);
  assert.equal(la.body.status, 'queued');
  const until = new Date(la.body.metadata.deferredUntil);
  assert.ok(until.getTime() > Date.now() && until.getTime() <= Date.now() + 24 * 3_600_000, la.body.metadata.deferredUntil);
  // The send job keeps it queued and asks to run again at that time.
  const pacer = createMemoryPacer();
  await assert.rejects(
    runSendJob(h.engine, pacer, { id: 'x', name: 'message.created', attempt: 1, data: { orgId: org.orgId, subjectId: la.body.id } as any }),
    (err: unknown) => err instanceof RetryLater && Math.abs(err.delayMs - (until.getTime() - Date.now())) < 5_000,
  );
  assert.equal((await h.call(org.apiKey, 'GET', `/v1/messages/${la.body.id}`)).body.status, 'queued');
  const refused = await send(num('415'), { purpose: 'marketing', noDefer: true });
  assert.equal(refused.status, 422);
  assert.equal(refused.body.error.code, 'quiet_hours');
  assert.ok(refused.body.error.details[0].nextAllowedAt);
  // Contact time zone: a Los Angeles number whose contact lives in New York is inside.
  const value = num('415');
  await h.call(org.apiKey, 'POST', '/v1/contacts', { name: 'Moved east', timezone: 'America/New_York', handles: [{ kind: 'phone', value }] });
  assert.equal((await send(value, { purpose: 'marketing', noDefer: true })).status, 201);
  const tx = await send(num('415'), { purpose: 'transactional', noDefer: true });
  assert.equal(tx.status, 201);
  assert.equal(tx.body.metadata.deferredUntil, undefined);
});

test('10DLC: an unregistered US long-code sender is refused (422 unregistered_sender naming it); approved passes; the job re-checks', async () => {
  const org = await h.newOrg();
  const c = await twilioConnection(h, org.apiKey);
  const s = await h.call(org.apiKey, 'POST', `/v1/connections/${c.id}/senders`, { channel: 'sms', address: OUR_NUMBER });
  const send = () => h.call(org.apiKey, 'POST', '/v1/send', { to: { handle: { kind: 'phone', value: num('212') } }, channel: 'sms', body: 'Your appointment is at 3pm' });
  const refused = await send();
  assert.equal(refused.status, 422);
  assert.equal(refused.body.error.code, 'unregistered_sender');
  assert.ok(refused.body.error.message.includes(OUR_NUMBER));
  await h.call(org.apiKey, 'PATCH', `/v1/connections/${c.id}/senders/${s.body.id}`, { registrationStatus: 'approved', brandId: 'BXXXX', campaignId: 'CXXXX' });
  const ok = await send();
  assert.equal(ok.status, 201);
  // Registration withdrawn before the job runs: blocked there, audited.
  await h.call(org.apiKey, 'PATCH', `/v1/connections/${c.id}/senders/${s.body.id}`, { registrationStatus: 'rejected' });
  await runSendJob(h.engine, createMemoryPacer(), { id: 'y', name: 'message.created', attempt: 1, data: { orgId: org.orgId, subjectId: ok.body.id } as any });
  const m = (await h.call(org.apiKey, 'GET', `/v1/messages/${ok.body.id}`)).body;
  assert.deepEqual([m.status, m.errorCode], ['blocked', 'unregistered_sender']);
  const actions = await h.engine.tenant(org.orgId, (tx) => tx.trx('audit_log').select('action', 'details').whereIn('action', ['message.refused']));
  assert.deepEqual(actions.map((a: any) => (typeof a.details === 'string' ? JSON.parse(a.details) : a.details).code), ['unregistered_sender', 'unregistered_sender']);
});

test('HIPAA mode: a send through a non-BAA connector is refused; a BAA-eligible one passes', async () => {
  const org = await h.newOrg();
  assert.equal((await h.call(org.apiKey, 'PATCH', '/v1/org', { settings: { hipaaMode: true } })).status, 200);
  await twilioConnection(h, org.apiKey, { sandbox: true });
  const sms = await h.call(org.apiKey, 'POST', '/v1/send', { to: { handle: { kind: 'phone', value: num('212') } }, channel: 'sms', body: 'Lab results ready' });
  assert.equal(sms.status, 201, 'Twilio SMS is BAA-eligible');
  const wa = await h.call(org.apiKey, 'POST', '/v1/send', { to: { handle: { kind: 'whatsapp', value: num('212') } }, channel: 'whatsapp', body: 'Lab results ready', template: { id: 'HX123' } });
  assert.equal(wa.status, 422, JSON.stringify(wa.body));
  assert.equal(wa.body.error.code, 'connector_not_baa_eligible');
});

test('a provider "unsubscribed recipient" error (Twilio 21610) fails the send and records an opt-out (source provider)', async () => {
  const { default: nock } = await import('nock');
  const { ACCOUNT_SID } = await import('../../test/connections.ts');
  const org = await h.newOrg();
  await twilioConnection(h, org.apiKey);
  const value = num('212');
  const queued = await h.call(org.apiKey, 'POST', '/v1/send', { to: { handle: { kind: 'phone', value } }, channel: 'sms', body: 'Reminder' });
  assert.equal(queued.status, 201);
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  const scope = nock('https://api.twilio.com')
    .post(`/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`)
    .reply(...reply(400, { code: 21610, message: 'Attempt to send to unsubscribed recipient', more_info: 'https://www.twilio.com/docs/errors/21610', status: 400 }));
  try {
    await runSendJob(h.engine, createMemoryPacer(), { id: 'z', name: 'message.created', attempt: 1, data: { orgId: org.orgId, subjectId: queued.body.id } as any });
    assert.ok(scope.isDone());
  } finally {
    nock.cleanAll();
    nock.enableNetConnect();
  }
  const m = (await h.call(org.apiKey, 'GET', `/v1/messages/${queued.body.id}`)).body;
  assert.deepEqual([m.status, m.errorCode], ['failed', 'recipient_opted_out']);
  const hist = (await h.call(org.apiKey, 'GET', `/v1/consents?handle[kind]=phone&handle[value]=${encodeURIComponent(value)}`)).body;
  assert.deepEqual(hist.current.map((e: any) => [e.status, e.source, e.evidence.providerCode]), [['opted_out', 'provider', '21610'], ['opted_out', 'provider', '21610']]);
  const again = await h.call(org.apiKey, 'POST', '/v1/send', { to: { handle: { kind: 'phone', value } }, channel: 'sms', body: 'Reminder' });
  assert.equal(again.body.error.code, 'recipient_opted_out');
});
