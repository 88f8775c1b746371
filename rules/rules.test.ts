import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import nock from 'nock';
import { startHarness, type Harness } from '../test/harness.ts';
import { CUSTOMER, OUR_NUMBER, postTwilio, twilioConnection } from '../test/connections.ts';
import { waitFor } from '../test/wait.ts';
import { defineConnector } from '../connectors/kit/index.ts';
import { demoSandboxConnections } from '../app/connectors.ts';
import { appendEvent } from '../core/events/events.ts';
import { startRelay, type Relay } from '../core/events/relay.ts';
import { startSendWorker, type SendWorker } from '../core/send/worker.ts';
import { runRulesForEvent, startRulesWorker } from './runner.ts';
import { dispatchRoutes } from '../app/dispatch-routes.ts';

/**
 * The rules engine over the real pipeline: events → relay → 'rules' queue → runner → actions
 * through the real send path (sandbox connections: no provider is called).
 */
let h: Harness;
let relay: Relay;
let sender: SendWorker;
beforeAll(async () => {
  h = await startHarness();
  h.engine.connectors.register(
    defineConnector({
      id: 'paytest',
      version: '1.0.0',
      kind: 'payments',
      displayName: 'Pay test',
      configSchema: { type: 'object' },
      secretsSchema: { type: 'object' },
      capabilities: ['actions.invoke'],
      manifest: {},
      actions: {
        create_payment_link: {
          description: 'A payment link for an amount',
          inputSchema: { type: 'object', required: ['amount'], properties: { amount: { type: 'string' } } },
          run: async (input) => ({ url: `https://pay.example/${input.amount}` }),
        },
      },
    }),
  );
  relay = await startRelay(h.engine, { routes: dispatchRoutes });
  sender = startSendWorker(h.engine);
  startRulesWorker(h.engine);
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
});
afterAll(async () => {
  nock.enableNetConnect();
  await relay?.stop();
  await sender?.stop();
  await h?.close();
});

const rule = async (apiKey: string, body: Record<string, unknown>) => {
  const res = await h.call(apiKey, 'POST', '/v1/rules', body);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { id: string; version: number };
};

async function sendgridConnection(apiKey: string) {
  const d = demoSandboxConnections('http://localhost:3000').find((c) => c.connector === 'sendgrid')!;
  const res = await h.call(apiKey, 'POST', '/v1/connections', { connector: d.connector, name: d.name, config: d.config, secrets: d.secrets, sandbox: true });
  assert.equal(res.status, 201, JSON.stringify(res.body));
}

async function contact(apiKey: string, name: string, handles: { kind: string; value: string }[]) {
  const res = await h.call(apiKey, 'POST', '/v1/contacts', { name, handles });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id as string;
}

const outbound = (orgId: string) =>
  h.engine.tenant(orgId, (tx) => tx.trx('messages').where({ direction: 'outbound' }).orderBy('created_at')) as Promise<{ id: string; channel: string; body_enc: Buffer; metadata: any }[]>;
const bodyOf = (orgId: string, m: { id: string; body_enc: Buffer }) => h.engine.tenant(orgId, async (tx) => tx.crypto.decrypt(m.id, 'body', Buffer.from(m.body_enc)));
const executions = async (apiKey: string, ruleId: string) => (await h.call(apiKey, 'GET', `/v1/rules/${ruleId}/executions`)).body.data as any[];
const settled = (apiKey: string, ruleId: string, n: number): Promise<any[]> =>
  waitFor(`${n} settled executions of ${ruleId}`, async () => {
    const ex = await executions(apiKey, ruleId);
    return ex.filter((e) => e.status !== 'running').length >= n ? ex : null;
  }, 8_000, 50).then((ex) => ex!);

test('CRUD, versions and validation errors with field paths', async () => {
  const { apiKey } = await h.newOrg();
  const r = await rule(apiKey, { name: 'Hi', trigger: 'message.received', condition: { contains_any_word: [{ var: 'message.body' }, ['hello']] }, actions: [{ type: 'tag', tags: ['greeting'] }] });
  assert.equal(r.version, 1);
  const patched = await h.call(apiKey, 'PATCH', `/v1/rules/${r.id}`, { priority: 5 });
  assert.equal(patched.body.version, 2);
  assert.equal(patched.body.priority, 5);
  assert.deepEqual((await h.call(apiKey, 'GET', `/v1/rules/${r.id}/versions`)).body.data.map((v: any) => v.version), [2, 1]);
  const bad = async (body: Record<string, unknown>) => {
    const res = await h.call(apiKey, 'POST', '/v1/rules', { name: 'x', trigger: 'message.received', actions: [{ type: 'tag', tags: ['a'] }], ...body });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    return res.body.error.details as { field: string; reason: string }[];
  };
  assert.deepEqual((await bad({ condition: { frobnicate: [1] } }))[0], { field: '/condition/frobnicate', reason: 'unknown operator "frobnicate"' });
  assert.equal((await bad({ condition: { and: [true, { method: [{ var: 'x' }, 'toString'] }] } }))[0].field, '/condition/and/1/method');
  assert.equal((await bad({ condition: { matches: [{ var: 'message.body' }, '(unclosed'] } }))[0].field, '/condition/matches/1');
  assert.equal((await bad({ actions: [{ type: 'teleport' }] }))[0].field, '/actions/0/type');
  assert.equal((await bad({ actions: [{ type: 'send_message' }] }))[0].field, '/actions/0');
  assert.equal((await bad({ actions: [{ type: 'send_message', body: 'x', chanel: 'sms' }] }))[0].field, '/actions/0/chanel');
  assert.equal((await h.call(apiKey, 'DELETE', `/v1/rules/${r.id}`)).status, 200);
  assert.equal((await h.call(apiKey, 'GET', `/v1/rules/${r.id}`)).status, 404);
});

test('test endpoint renders templates and sends nothing; another org gets 404', async () => {
  const { apiKey, orgId } = await h.newOrg();
  await twilioConnection(h, apiKey, { sandbox: true });
  const contactId = await contact(apiKey, 'Dana', [{ kind: 'phone', value: CUSTOMER }]);
  const r = await rule(apiKey, {
    name: 'Tech en route',
    trigger: 'servicetitan.job.dispatched',
    condition: { '==': [{ var: 'event.data.status' }, 'dispatched'] },
    actions: [{ type: 'send_message', channel: ['sms', 'email'], body: 'Hi {{contact.name}}, {{event.data.technician.name}} is on the way.' }],
  });
  const res = await h.call(apiKey, 'POST', `/v1/rules/${r.id}/test`, { event: { type: 'servicetitan.job.dispatched', data: { status: 'dispatched', contactId, technician: { name: 'Sam' } } } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.matched, true);
  assert.equal(res.body.condition.result, true);
  assert.deepEqual(res.body.actions[0].type, 'send_message');
  assert.equal(res.body.actions[0].would.channel, 'sms');
  assert.equal(res.body.actions[0].would.body, 'Hi Dana, Sam is on the way.');
  assert.equal((await outbound(orgId)).length, 0);
  const other = await h.newOrg();
  assert.equal((await h.call(other.apiKey, 'POST', `/v1/rules/${r.id}/test`, { event: { type: 'x.y', data: {} } })).status, 404);
  assert.equal((await h.call(other.apiKey, 'GET', `/v1/rules/${r.id}/executions`)).status, 404);
  assert.equal((await h.call(other.apiKey, 'GET', '/v1/rules')).body.data.length, 0);
});

test('message.received + contains_any_word auto-replies through the send path exactly once, even when the job is replayed', async () => {
  const { apiKey, orgId } = await h.newOrg();
  const c = await twilioConnection(h, apiKey, { sandbox: true });
  const r = await rule(apiKey, {
    name: 'Hours',
    trigger: 'message.received',
    condition: { contains_any_word: [{ var: 'message.body' }, ['hours', 'open']] },
    actions: [{ type: 'send_message', body: 'We are open 9-5. ({{org.name}})' }, { type: 'tag', tags: ['faq'] }],
  });
  const post = (sid: string, body: string) => postTwilio(c.inboundUrl, { MessageSid: sid, AccountSid: 'AC3f5e0c7a9b2d4e6f8a1b3c5d7e9f1a2b', From: CUSTOMER, To: OUR_NUMBER, Body: body, NumMedia: '0' });
  assert.equal((await post('SM' + 'a'.repeat(32), 'What are your HOURS?')).status, 200);
  assert.equal((await post('SM' + 'b'.repeat(32), 'thanks')).status, 200);
  const ex = await settled(apiKey, r.id, 2);
  assert.deepEqual(ex.map((e) => e.decision).sort(), ['matched', 'not_matched']);
  const done = ex.find((e) => e.decision === 'matched')!;
  assert.equal(done.status, 'completed');
  assert.deepEqual(done.actions.map((a: any) => [a.type, a.status]), [['send_message', 'done'], ['tag', 'done']]);
  const sent = await outbound(orgId);
  assert.equal(sent.length, 1);
  assert.equal(await bodyOf(orgId, sent[0]), 'We are open 9-5. (Test org)');
  assert.equal(sent[0].metadata.causedBy.depth, 1);
  // The real send job takes it (sandbox).
  await waitFor('auto-reply sent', async () => ['sent', 'delivered'].includes((await h.call(apiKey, 'GET', `/v1/messages/${sent[0].id}`)).body.status), 8_000, 50);
  // Replays: the job runs again for the same event, twice.
  await runRulesForEvent(h.engine, orgId, done.eventId);
  await runRulesForEvent(h.engine, orgId, done.eventId);
  assert.equal((await outbound(orgId)).length, 1);
  assert.equal((await executions(apiKey, r.id)).length, 2);
});

test('external event: tech en route by SMS with the technician name, email when the contact has no phone; priority + stopAfter', async () => {
  const { apiKey, orgId } = await h.newOrg();
  await twilioConnection(h, apiKey, { sandbox: true });
  await sendgridConnection(apiKey);
  const withPhone = await contact(apiKey, 'Pat', [{ kind: 'phone', value: '+14155550177' }, { kind: 'email', value: 'pat@example.com' }]);
  const emailOnly = await contact(apiKey, 'Lee', [{ kind: 'email', value: 'lee@example.com' }]);
  const first = await rule(apiKey, {
    name: 'Tech en route',
    trigger: 'servicetitan.job.dispatched',
    priority: 10,
    stopAfter: true,
    condition: { '!!': [{ var: 'event.data.technician.name' }] },
    actions: [{ type: 'send_message', channel: ['sms', 'email'], subject: 'Your technician', body: '{{event.data.technician.name}} is en route.' }],
  });
  const never = await rule(apiKey, { name: 'Lower', trigger: 'servicetitan.job.dispatched', priority: 20, actions: [{ type: 'emit_event' }] });
  for (const contactId of [withPhone, emailOnly]) {
    await h.engine.tenant(orgId, (tx) => appendEvent(tx, { type: 'servicetitan.job.dispatched', data: { contactId, technician: { name: 'Sam Rivera' } } }));
  }
  await settled(apiKey, first.id, 2);
  const sent = await outbound(orgId);
  // The two events may run in either order (the rules queue runs jobs concurrently): match by recipient.
  const channelOf = (contactId: string) => sent.filter((m) => (m as unknown as { contact_id: string }).contact_id === contactId).map((m) => m.channel);
  assert.deepEqual([channelOf(withPhone), channelOf(emailOnly)], [['sms'], ['email']]);
  for (const m of sent) assert.equal(await bodyOf(orgId, m), 'Sam Rivera is en route.');
  // stopAfter: the lower-priority rule never ran for these events.
  assert.equal((await executions(apiKey, never.id)).length, 0);
});

test('loop protection: a message.sent rule that sends again stops at depth 3', async () => {
  const { apiKey, orgId } = await h.newOrg();
  await twilioConnection(h, apiKey, { sandbox: true });
  const r = await rule(apiKey, { name: 'Echo', trigger: 'message.sent', actions: [{ type: 'send_message', body: 'again' }] });
  const res = await h.call(apiKey, 'POST', '/v1/messages', { channel: 'sms', to: { handle: { kind: 'phone', value: CUSTOMER } }, body: 'start' });
  assert.equal(res.status, 201);
  const ex: any[] = await waitFor('the loop to be stopped', async () => {
    const all = await executions(apiKey, r.id);
    return all.some((e) => e.decision === 'loop_stopped') ? all : null;
  }, 10_000, 50).then((all) => all!);
  assert.deepEqual(ex.map((e) => e.depth).sort(), [0, 1, 2, 3]);
  assert.equal(ex.find((e) => e.depth === 3).decision, 'loop_stopped');
  assert.equal((await outbound(orgId)).length, 4);
});

test('loop protection: a conversation.updated rule that changes the conversation stops at depth 3', async () => {
  const { apiKey } = await h.newOrg();
  const msg = await h.call(apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { handle: { kind: 'app_user', value: 'loop-user' } }, body: 'hello' });
  assert.equal(msg.status, 201, JSON.stringify(msg.body));
  // Each run writes a value of its own (the event's id), so every run changes the conversation again.
  const r = await rule(apiKey, { name: 'Stamp', trigger: 'conversation.updated', actions: [{ type: 'set_metadata', metadata: { stampedBy: '{{event.id}}' } }] });
  assert.equal((await h.call(apiKey, 'PATCH', `/v1/conversations/${msg.body.conversationId}`, { metadata: { unit: '4B' } })).status, 200);
  const ex: any[] = await waitFor('the loop to be stopped', async () => {
    const all = await executions(apiKey, r.id);
    return all.some((e) => e.decision === 'loop_stopped') ? all : null;
  }, 10_000, 50).then((all) => all!);
  await new Promise((res) => setTimeout(res, 500));
  const settled = await executions(apiKey, r.id);
  assert.deepEqual(settled.map((e: any) => e.depth).sort(), [0, 1, 2, 3], JSON.stringify(ex));
  assert.equal(settled.find((e: any) => e.depth === 3).decision, 'loop_stopped');
});

test('invoke: a connector action result feeds a later action', async () => {
  const { apiKey, orgId } = await h.newOrg();
  await twilioConnection(h, apiKey, { sandbox: true });
  assert.equal((await h.call(apiKey, 'POST', '/v1/connections', { connector: 'paytest', name: 'Pay', config: {}, secrets: {} })).status, 201);
  const contactId = await contact(apiKey, 'Kim', [{ kind: 'phone', value: '+14155550166' }]);
  const r = await rule(apiKey, {
    name: 'Dunning',
    trigger: 'stripe.invoice.payment_failed',
    actions: [
      { type: 'invoke', connector: 'paytest', action: 'create_payment_link', input: { amount: '{{event.data.amount}}' }, as: 'payLink' },
      { type: 'send_message', channel: 'sms', body: 'Payment failed. Pay here: {{results.payLink.url}}' },
    ],
  });
  await h.engine.tenant(orgId, (tx) => appendEvent(tx, { type: 'stripe.invoice.payment_failed', data: { contactId, amount: '4200' } }));
  const [ex] = await settled(apiKey, r.id, 1);
  assert.equal(ex.status, 'completed', JSON.stringify(ex));
  const sent = await outbound(orgId);
  assert.equal(await bodyOf(orgId, sent[0]), 'Payment failed. Pay here: https://pay.example/4200');
});

test('a done close_conversation is not run again when the execution is replayed after a later action failed', async () => {
  const { apiKey, orgId } = await h.newOrg();
  // A connector action that fails (5xx: transient, the execution stays running) on its first call only.
  let calls = 0;
  h.engine.connectors.register(
    defineConnector({
      id: 'flaky-once',
      version: '1.0.0',
      kind: 'vertical',
      displayName: 'Flaky once',
      configSchema: { type: 'object' },
      secretsSchema: { type: 'object' },
      capabilities: ['actions.invoke'],
      manifest: {},
      actions: {
        ping: {
          description: 'Fails the first time',
          inputSchema: { type: 'object' },
          run: async () => {
            calls++;
            if (calls === 1) throw new Error('upstream timed out');
            return { ok: true };
          },
        },
      },
    }),
  );
  assert.equal((await h.call(apiKey, 'POST', '/v1/connections', { connector: 'flaky-once', name: 'Flaky', config: {}, secrets: {} })).status, 201);
  const r = await rule(apiKey, {
    name: 'Close then ping',
    trigger: 'message.received',
    actions: [{ type: 'close_conversation' }, { type: 'invoke', connector: 'flaky-once', action: 'ping', input: {} }],
  });
  const msg = await h.call(apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { handle: { kind: 'app_user', value: 'close-replay' } }, body: 'hello' });
  assert.equal(msg.status, 201, JSON.stringify(msg.body));
  const convId = msg.body.conversationId as string;
  const [first] = await waitFor('close done, ping failed', async () => {
    const ex = await executions(apiKey, r.id);
    return ex.length && ex[0].actions.some((a: any) => a.type === 'invoke') ? ex : null;
  }, 8_000, 50).then((ex) => ex!);
  assert.deepEqual(first.actions.map((a: any) => [a.type, a.status]), [['close_conversation', 'done'], ['invoke', 'failed']], JSON.stringify(first.actions));
  // Someone reopens the conversation; then the job is replayed: only the failed action runs again.
  assert.equal((await h.call(apiKey, 'PATCH', `/v1/conversations/${convId}`, { status: 'open' })).status, 200);
  await runRulesForEvent(h.engine, orgId, first.eventId);
  const [ex] = await settled(apiKey, r.id, 1);
  assert.equal(ex.status, 'completed', JSON.stringify(ex));
  assert.deepEqual(ex.actions.map((a: any) => [a.type, a.status]), [['close_conversation', 'done'], ['invoke', 'done']]);
  assert.equal((await h.call(apiKey, 'GET', `/v1/conversations/${convId}`)).body.status, 'open');
});
