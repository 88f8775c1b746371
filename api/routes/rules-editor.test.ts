import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';
import { CUSTOMER, OUR_NUMBER, ACCOUNT_SID, postTwilio, syncEvents, hasEvent, twilioConnection } from '../../test/connections.ts';

/** The rule editor's API: the vocabulary and the dry run of an unsaved draft against a real event. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

test('vocabulary: triggers name their feed event type; fields, builder operators and every action schema', async () => {
  const { apiKey } = await h.newOrg();
  const res = await h.call(apiKey, 'GET', '/v1/rules/vocabulary');
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const received = res.body.triggers.find((t: any) => t.trigger === 'message.received');
  assert.deepEqual([received.eventType, received.direction], ['message.created', 'inbound']);
  assert.ok(received.scopes.includes('message'));
  assert.ok(res.body.fields.some((f: any) => f.path === 'message.body' && f.scope === 'message'));
  assert.ok(res.body.operators.some((o: any) => o.op === 'contains_any_word' && o.takes === 'values'));
  const send = res.body.actions.find((a: any) => a.type === 'send_message');
  assert.equal(send.schema.additionalProperties, false);
  assert.ok(res.body.allOperations.includes('matches') && !res.body.allOperations.includes('method'));
  // Every builder operator and field scope is one the engine knows.
  for (const o of res.body.operators) assert.ok(res.body.allOperations.includes(o.op), o.op);
  // Admin only, like the rest of /v1/rules.
  const viewer = await h.call(apiKey, 'POST', '/v1/api-keys', { name: 'ro', scopes: ['events:read'] });
  assert.equal((await h.call(viewer.body.secret, 'GET', '/v1/rules/vocabulary')).status, 403);
});

test('a draft dry-runs against a real inbound event: matched, reply rendered, nothing written; bad drafts get field paths', async () => {
  const { apiKey, orgId } = await h.newOrg();
  const c = await twilioConnection(h, apiKey, { sandbox: true });
  const post = await postTwilio(c.inboundUrl, { MessageSid: 'SM' + 'd'.repeat(32), AccountSid: ACCOUNT_SID, From: CUSTOMER, To: OUR_NUMBER, Body: 'Is the pool OPEN today?', NumMedia: '0' });
  assert.equal(post.status, 200);
  const events = await syncEvents(h, apiKey, hasEvent('message.created'));
  const eventId = (events.find((e) => e.type === 'message.created') as any).id;
  const countRows = () => h.engine.tenant(orgId, async (tx) => ({
    rules: Number((await tx.trx('rules').count({ n: '*' }))[0]!.n),
    messages: Number((await tx.trx('messages').count({ n: '*' }))[0]!.n),
    executions: Number((await tx.trx('rule_executions').count({ n: '*' }))[0]!.n),
  }));
  const beforeRun = await countRows();
  const draft = {
    trigger: 'message.received',
    condition: { contains_any_word: [{ var: 'message.body' }, ['open', 'hours']] },
    actions: [{ type: 'send_message', body: 'Hi from {{org.name}}: we are open 9-5.' }, { type: 'tag', tags: ['faq'] }],
  };
  const res = await h.call(apiKey, 'POST', '/v1/rules/test', { rule: draft, eventId });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.matched, true);
  assert.equal(res.body.triggerMatches, true);
  assert.equal(res.body.actions[0].would.body, 'Hi from Test org: we are open 9-5.');
  assert.deepEqual(res.body.actions[1].would.addTags, ['faq']);
  assert.equal(res.body.context.message.body, 'Is the pool OPEN today?');
  assert.deepEqual(await countRows(), beforeRun);

  // Not matched: the condition's result is reported and no action previewed.
  const miss = await h.call(apiKey, 'POST', '/v1/rules/test', { rule: { ...draft, condition: { '==': [{ var: 'message.channel' }, 'email'] } }, eventId });
  assert.deepEqual([miss.body.matched, miss.body.actions.length], [false, 0]);
  // A trigger that the event does not answer to says so.
  assert.equal((await h.call(apiKey, 'POST', '/v1/rules/test', { rule: { ...draft, trigger: 'message.sent' }, eventId })).body.triggerMatches, false);
  // Validated as on save, with the pointer of the fault.
  const bad = await h.call(apiKey, 'POST', '/v1/rules/test', { rule: { ...draft, condition: { frobnicate: [1] } }, eventId });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.details[0].field, '/condition/frobnicate');
  assert.equal((await h.call(apiKey, 'POST', '/v1/rules/test', { rule: draft })).status, 400);
  // Another org's event is not found.
  const other = await h.newOrg();
  const foreign = await h.call(other.apiKey, 'POST', '/v1/rules/test', { rule: draft, eventId });
  assert.equal(foreign.status, 404);
  assert.equal(foreign.body.error.details[0].field, '/eventId');
});
