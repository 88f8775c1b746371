import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import nock from 'nock';
import type { Harness } from '../test/harness.ts';
import { usePipeline } from '../test/pipeline.ts';
import { ACCOUNT_SID, CUSTOMER, OUR_NUMBER, postTwilio, syncEvents, twilioConnection, twilioMessageResource } from '../test/connections.ts';

/** A /v1/sync event as these tests read it. */
type Ev = { type: string; data: any; conversationId: string | null; subjectId: string | null };
import { reply } from '../test/nock-reply.ts';
import { waitFor } from '../test/wait.ts';
import { AI_QUEUE, startAiWorker } from './worker.ts';
import { runIdleSweep } from './idle.ts';
import { runRulesForEvent } from '../rules/runner.ts';

/**
 * Done means (1), with no AI connection (the local provider): a signed inbound Twilio SMS →
 * message.created → the relay's `ai` job → message.enriched (emergency, negative, unit 4B) →
 * a rule on message.ai.intent == "emergency" → the on-call SMS through the Twilio API (nock).
 * And POST /v1/conversations/{id}/enrich: a stored result until a new message arrives.
 */
const pipeline = usePipeline({ rules: true });
let h: Harness;
let worker: { stop(): Promise<void> };
beforeAll(async () => {
  h = await pipeline.ready;
  worker = startAiWorker(h.engine);
});
afterAll(() => worker?.stop());

const ON_CALL = '+14155550177';
const MESSAGES = `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`;
const sms = (sid: string, body: string) => ({ MessageSid: sid, AccountSid: ACCOUNT_SID, From: CUSTOMER, To: OUR_NUMBER, Body: body, NumMedia: '0' });

async function setup() {
  const { apiKey, orgId } = await h.newOrg();
  const twilio = await twilioConnection(h, apiKey);
  const sender = await h.call(apiKey, 'POST', `/v1/connections/${twilio.id}/senders`, { channel: 'sms', address: OUR_NUMBER, messagesPerSecond: 10, registrationStatus: 'approved', brandId: 'BN3f5e0c7a', campaignId: 'CN9b2d4e6f' });
  assert.equal(sender.status, 201, JSON.stringify(sender.body));
  return { apiKey, orgId, twilio };
}

test('inbound SMS "water is pouring through my ceiling in 4B!!" → message.enriched (emergency, negative, 4B) → rule → on-call SMS', async () => {
  const { apiKey, orgId, twilio } = await setup();
  const rule = await h.call(apiKey, 'POST', '/v1/rules', {
    name: 'Page on-call for emergencies',
    trigger: 'message.enriched',
    condition: { and: [{ '==': [{ var: 'message.ai.intent' }, 'emergency'] }, { '<': [{ var: 'message.ai.sentiment.score' }, -0.5] }] },
    actions: [{ type: 'send_message', channel: 'sms', to: { handle: { kind: 'phone', value: ON_CALL } }, body: 'EMERGENCY, unit {{message.ai.entities.0.text}}: call the tenant back now.' }],
  });
  assert.equal(rule.status, 201, JSON.stringify(rule.body));
  const sent: Record<string, string>[] = [];
  nock('https://api.twilio.com')
    .post(MESSAGES, (form: Record<string, string>) => (sent.push({ ...form }), true))
    .reply(() => reply(201, twilioMessageResource('SM' + '7'.repeat(32), { to: sent.at(-1)!.To, from: sent.at(-1)!.From, body: sent.at(-1)!.Body })));

  assert.equal((await postTwilio(twilio.inboundUrl, sms('SM' + 'a'.repeat(32), 'water is pouring through my ceiling in 4B!!'))).status, 200);

  const events = await syncEventsUntil(apiKey, (e) => e.some((x) => x.type === 'message.enriched'));
  const created = events.find((e) => e.type === 'message.created')!;
  const enriched = events.find((e) => e.type === 'message.enriched')!;
  assert.equal(enriched.data.message.id, created.data.message.id);
  assert.equal(enriched.conversationId, created.conversationId);
  const e = enriched.data.enrichment;
  assert.equal(e.intent.id, 'emergency');
  assert.equal(e.sentiment.label, 'negative');
  assert.ok(e.sentiment.score < -0.5, `score ${e.sentiment.score}`);
  assert.deepEqual(e.entities, [{ type: 'unit', text: '4B', start: 39, end: 41 }]);
  assert.deepEqual([e.provider, e.fallback], ['local', null]);

  await waitFor('the on-call SMS sent', () => (sent.length ? true : null), 20_000, 50);
  assert.deepEqual([sent[0]!.To, sent[0]!.From, sent[0]!.Body], [ON_CALL, OUR_NUMBER, 'EMERGENCY, unit 4B: call the tenant back now.']);
  // The result is stored sealed: the row holds no clear text.
  const row = await h.engine.tenant(orgId, (tx) => tx.trx('ai_enrichments').where({ subject_id: created.data.message.id }).first());
  assert.ok(row && !Buffer.from(row.result_enc).toString('latin1').includes('emergency'));

  // A message that is no emergency enriches too, and pages nobody.
  assert.equal((await postTwilio(twilio.inboundUrl, sms('SM' + 'b'.repeat(32), 'thanks, see you Tuesday 👍'))).status, 200);
  const later = await syncEventsUntil(apiKey, (x) => x.filter((y) => y.type === 'message.enriched').length === 2);
  assert.equal(later.filter((y) => y.type === 'message.enriched')[1]!.data.enrichment.intent.id, 'thanks_or_confirmation');
  const executions = await h.call(apiKey, 'GET', `/v1/rules/${rule.body.id}/executions`);
  await waitFor('both executions', async () => ((await h.call(apiKey, 'GET', `/v1/rules/${rule.body.id}/executions`)).body.data.length === 2 ? true : null), 10_000, 50);
  assert.ok(executions.status === 200);
  assert.equal(sent.length, 1);
});

test('POST /v1/conversations/{id}/enrich: summary and suggested replies; the stored result until a new message arrives; 404 for another org; erased with the contact', async () => {
  const { apiKey, orgId } = await setup();
  const patched = await h.call(apiKey, 'PATCH', '/v1/org', {
    settings: { ai: { onInboundMessage: { enabled: false }, savedReplies: [{ id: 'plumber', text: 'A plumber is on the way, please shut the water valve under the sink.', intents: ['emergency'] }, { id: 'hours', text: 'Our office hours are 9-5.' }] } },
  });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  const contact = await h.call(apiKey, 'POST', '/v1/contacts', { name: 'Dana Tenant', handles: [{ kind: 'phone', value: '+14155550134' }] });
  const first = await h.call(apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { contactId: contact.body.id }, body: 'The pipe under my sink burst, water everywhere in 12C!!' });
  assert.equal(first.status, 201, JSON.stringify(first.body));
  const conv = first.body.conversationId;

  const a = await h.call(apiKey, 'POST', `/v1/conversations/${conv}/enrich`, {});
  assert.equal(a.status, 200, JSON.stringify(a.body));
  assert.equal(a.body.object, 'enrichment');
  assert.equal(a.body.cached, false);
  assert.equal(a.body.version, first.body.id);
  assert.equal(a.body.intent.id, 'emergency');
  assert.match(a.body.summary, /12C/);
  assert.equal(a.body.suggestedReplies[0].id, 'plumber');

  const again = await h.call(apiKey, 'POST', `/v1/conversations/${conv}/enrich`, {});
  assert.deepEqual([again.body.id, again.body.cached], [a.body.id, true]);

  const second = await h.call(apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { contactId: contact.body.id }, body: 'ok the valve is shut now, thanks' });
  assert.equal(second.body.conversationId, conv);
  const b = await h.call(apiKey, 'POST', `/v1/conversations/${conv}/enrich`, {});
  assert.equal(b.body.cached, false);
  assert.notEqual(b.body.id, a.body.id);
  assert.equal(b.body.version, second.body.id);

  const got = await h.call(apiKey, 'GET', `/v1/conversations/${conv}/enrichment`);
  assert.equal(got.body.id, b.body.id);
  const events = await syncEventsUntil(apiKey, (x) => x.filter((y) => y.type === 'conversation.enriched').length === 2);
  assert.ok(!events.some((y) => y.type === 'message.enriched'), 'onInboundMessage is off');

  const bad = await h.call(apiKey, 'POST', `/v1/conversations/${conv}/enrich`, { tasks: ['horoscope'] });
  assert.equal(bad.status, 400);
  const other = await h.newOrg();
  assert.equal((await h.call(other.apiKey, 'POST', `/v1/conversations/${conv}/enrich`, {})).status, 404);

  // Erasing the contact erases the enrichments that summarize their messages.
  const rows = () => h.engine.tenant(orgId, (tx) => tx.trx('ai_enrichments').where({ conversation_id: conv }));
  assert.equal((await rows()).length, 2);
  assert.equal((await h.call(apiKey, 'DELETE', `/v1/contacts/${contact.body.id}`)).status, 200);
  assert.equal((await rows()).length, 0);
});

test('closing a conversation enriches it (summary) and publishes conversation.enriched', async () => {
  const { apiKey } = await setup();
  const contact = await h.call(apiKey, 'POST', '/v1/contacts', { name: 'Kim', handles: [{ kind: 'phone', value: '+14155550135' }] });
  const m = await h.call(apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { contactId: contact.body.id }, body: 'Can the tech come Thursday at 3pm instead? unit 5A' });
  assert.equal((await h.call(apiKey, 'PATCH', `/v1/conversations/${m.body.conversationId}`, { status: 'closed' })).status, 200);
  const events = await syncEventsUntil(apiKey, (x) => x.some((y) => y.type === 'conversation.enriched'));
  const c = events.find((y) => y.type === 'conversation.enriched')!;
  assert.equal(c.data.conversation.id, m.body.conversationId);
  assert.equal(c.data.enrichment.intent.id, 'schedule_change');
  assert.match(c.data.enrichment.summary, /Thursday/);
});

test('a conversation idle for N minutes (ai.onConversationIdle) is summarized once; a new message or another org is not swept', async () => {
  const { apiKey } = await setup();
  const on = await h.call(apiKey, 'PATCH', '/v1/org', { settings: { ai: { onInboundMessage: { enabled: false }, onConversationIdle: { enabled: true, minutes: 5, tasks: ['summary', 'intent'] } } } });
  assert.equal(on.status, 200, JSON.stringify(on.body));
  const other = await h.newOrg();
  const contact = await h.call(apiKey, 'POST', '/v1/contacts', { name: 'Lee', handles: [{ kind: 'phone', value: '+14155550136' }] });
  const m = await h.call(apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { contactId: contact.body.id }, body: 'The dishwasher in 7C is leaking onto the floor, can someone come Friday morning?' });
  const conv = m.body.conversationId;
  const otherContact = await h.call(other.apiKey, 'POST', '/v1/contacts', { name: 'Ray', handles: [{ kind: 'phone', value: '+14155550137' }] });
  await h.call(other.apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { contactId: otherContact.body.id }, body: 'Is the pool open?' });
  // The clock moves instead of the test waiting: 4 minutes later it is not idle yet, 6 minutes later it is.
  const at = (minutes: number) => new Date(Date.now() + minutes * 60_000);
  assert.deepEqual(await runIdleSweep(h.engine, { now: at(4), queue: AI_QUEUE }), { queued: 0 });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await syncEvents(h, apiKey)).filter((e) => e.type === 'conversation.enriched').length, 0, 'not idle yet');

  assert.ok((await runIdleSweep(h.engine, { now: at(6), queue: AI_QUEUE })).queued >= 1);
  const events = await syncEventsUntil(apiKey, (x) => x.some((y) => y.type === 'conversation.enriched'));
  const e = events.find((y) => y.type === 'conversation.enriched')!;
  assert.equal(e.data.conversation.id, conv);
  assert.deepEqual(e.data.enrichment.tasks, ['intent', 'summary']);
  assert.match(e.data.enrichment.summary, /7C/);
  assert.equal(e.data.enrichment.intent.id, 'maintenance_request');
  assert.ok(!(await syncEvents(h, other.apiKey)).some((y) => y.type === 'conversation.enriched'), 'the other org did not turn it on');

  // Summarized since its last message: the next sweeps leave it alone, until someone writes again.
  await runIdleSweep(h.engine, { now: at(7), queue: AI_QUEUE });
  const second = await h.call(apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { contactId: contact.body.id }, body: 'Actually Friday after 2pm works better' });
  assert.equal(second.body.conversationId, conv);
  await runIdleSweep(h.engine, { now: at(3), queue: AI_QUEUE });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await syncEvents(h, apiKey)).filter((y) => y.type === 'conversation.enriched').length, 1);
  await runIdleSweep(h.engine, { now: at(8), queue: AI_QUEUE });
  const again = await syncEventsUntil(apiKey, (x) => x.filter((y) => y.type === 'conversation.enriched').length === 2);
  assert.equal(again.filter((y) => y.type === 'conversation.enriched')[1]!.data.enrichment.version, second.body.id);
});

test('rule action enrich: the conversation summarized from a rule (conversation.enriched with causedBy) → a rule on conversation.ai.intent tags it; subject "message"; a replay returns the stored result', async () => {
  const { apiKey, orgId } = await setup();
  assert.equal((await h.call(apiKey, 'PATCH', '/v1/org', { settings: { ai: { onInboundMessage: { enabled: false } } } })).status, 200);
  const summarize = await h.call(apiKey, 'POST', '/v1/rules', { name: 'Summarize inbound', trigger: 'message.received', actions: [{ type: 'enrich', tasks: ['summary', 'intent'] }, { type: 'enrich', subject: 'message', tasks: ['intent', 'sentiment'] }] });
  assert.equal(summarize.status, 201, JSON.stringify(summarize.body));
  const tagger = await h.call(apiKey, 'POST', '/v1/rules', { name: 'Tag emergencies', trigger: 'conversation.enriched', condition: { '==': [{ var: 'conversation.ai.intent' }, 'emergency'] }, actions: [{ type: 'tag', tags: ['urgent'] }] });
  assert.equal(tagger.status, 201, JSON.stringify(tagger.body));
  const bad = await h.call(apiKey, 'POST', '/v1/rules', { name: 'Bad', trigger: 'message.received', actions: [{ type: 'enrich', tasks: ['horoscope'] }] });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.details[0].field, '/actions/0/tasks/0');

  const contact = await h.call(apiKey, 'POST', '/v1/contacts', { name: 'Ray', handles: [{ kind: 'phone', value: '+14155550136' }] });
  const m = await h.call(apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { contactId: contact.body.id }, body: 'Gas smell in the hallway outside 7D, should we leave??' });
  assert.equal(m.status, 201, JSON.stringify(m.body));
  const conv = m.body.conversationId as string;
  const events = await syncEventsUntil(apiKey, (x) => x.some((y) => y.type === 'conversation.enriched') && x.some((y) => y.type === 'message.enriched'));
  const c = events.find((y) => y.type === 'conversation.enriched')!;
  assert.equal(c.data.conversation.id, conv);
  assert.equal(c.data.enrichment.intent.id, 'emergency');
  assert.match(c.data.enrichment.summary, /7D/);
  assert.equal(c.data.causedBy.ruleId, summarize.body.id);
  assert.equal(c.data.causedBy.depth, 1);
  const me = events.find((y) => y.type === 'message.enriched')!;
  assert.equal(me.data.message.id, m.body.id);
  assert.equal(me.data.enrichment.sentiment.label, 'negative');

  // The rule on conversation.enriched saw conversation.ai.intent and tagged the conversation.
  await waitFor('the urgent tag', async () => ((await h.call(apiKey, 'GET', `/v1/conversations/${conv}`)).body.tags?.includes('urgent') ? true : null), 20_000, 100);
  const ex = (await h.call(apiKey, 'GET', `/v1/rules/${summarize.body.id}/executions`)).body.data as any[];
  assert.equal(ex.length, 1);
  assert.deepEqual(ex[0].actions.map((a: any) => [a.type, a.status]), [['enrich', 'done'], ['enrich', 'done']]);

  // Replayed: the same version is returned as stored (no new row, no new event).
  const event = await h.engine.tenant(orgId, (tx) => tx.trx('events').where({ type: 'message.created' }).orderBy('seq', 'desc').first());
  await runRulesForEvent(h.engine, orgId, event.id);
  assert.equal((await h.engine.tenant(orgId, (tx) => tx.trx('ai_enrichments').where({ conversation_id: conv }))).length, 2);
  const after = (await syncEvents(h, apiKey)) as unknown as Ev[];
  assert.equal(after.filter((y) => y.type === 'conversation.enriched').length, 1);
});

async function syncEventsUntil(apiKey: string, until: (e: Ev[]) => boolean): Promise<Ev[]> {
  const found = await waitFor('the expected events', async () => {
    const events = (await syncEvents(h, apiKey)) as unknown as Ev[];
    return until(events) ? events : null;
  }, 20_000, 100);
  return found!;
}
