import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';
import { waitFor } from '../../test/wait.ts';
import { startRelay, type Relay } from '../../core/events/relay.ts';
import { startRulesWorker } from '../../rules/runner.ts';
import { dispatchRoutes } from '../../app/dispatch-routes.ts';

/** What an inbox needs from the API: assignee and tags, their filters, last-activity order and a last-message preview. */
let h: Harness;
let relay: Relay;
beforeAll(async () => {
  h = await startHarness();
  relay = await startRelay(h.engine, { routes: dispatchRoutes });
  startRulesWorker(h.engine);
});
afterAll(async () => {
  await relay?.stop();
  await h?.close();
});

const PASSWORD = 'correct horse battery staple';
let n = 0;

async function user(apiKey: string, role: string, name: string) {
  const r = await h.call(apiKey, 'POST', '/v1/users', { email: `${name.toLowerCase()}${++n}.${Date.now()}@acme.test`, role, password: PASSWORD, name });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body as { id: string; email: string };
}

async function inbound(apiKey: string, who: string, body: string, metadata?: object) {
  const r = await h.call(apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { handle: { kind: 'app_user', value: who } }, body, metadata });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body as { conversationId: string };
}

const ids = async (apiKey: string, query: string) => (await h.call(apiKey, 'GET', `/v1/conversations?${query}`)).body.data.map((c: any) => c.id);
const updated = async (apiKey: string, id: string) =>
  (await h.call(apiKey, 'GET', `/v1/sync?types=conversation.updated&conversationId=${id}`)).body.events.map((e: any) => e.data);

test('assign and tag through PATCH: validated, normalized, filtered on, and each change recorded with what it was', async () => {
  const { apiKey } = await h.newOrg();
  const agent = await user(apiKey, 'agent', 'Ana');
  const viewer = await user(apiKey, 'viewer', 'Vic');
  const other = await h.newOrg('Other org');
  const stranger = await user(other.apiKey, 'agent', 'Stranger');
  const a = (await inbound(apiKey, 'tenant-a', 'the sink leaks')).conversationId;
  const b = (await inbound(apiKey, 'tenant-b', 'rent question')).conversationId;

  const assignees = await h.call(apiKey, 'GET', '/v1/assignees');
  assert.equal(assignees.status, 200);
  assert.ok(assignees.body.data.some((u: any) => u.id === agent.id && u.name === 'Ana'));
  assert.ok(!assignees.body.data.some((u: any) => u.id === viewer.id), 'a viewer cannot be assigned');

  const r = await h.call(apiKey, 'PATCH', `/v1/conversations/${a}`, { assigneeId: agent.id, tags: ['  Plumbing ', 'urgent', 'plumbing', 'Unit 4B'] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.assigneeId, agent.id);
  assert.deepEqual(r.body.tags, ['plumbing', 'urgent', 'unit-4b']);

  for (const [body, field] of [
    [{ assigneeId: viewer.id }, '/assigneeId'],
    [{ assigneeId: stranger.id }, '/assigneeId'],
    [{ assigneeId: 'not-a-uuid' }, '/assigneeId'],
    [{ tags: ['a,b'] }, '/tags/0'],
    [{ tags: ['x'.repeat(51)] }, '/tags/0'],
    [{ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, '/tags'],
  ] as const) {
    const bad = await h.call(apiKey, 'PATCH', `/v1/conversations/${a}`, body);
    assert.equal(bad.status, 400, JSON.stringify(body));
    assert.ok(bad.body.error.details.some((d: any) => String(d.field ?? d.path ?? '').startsWith(field)), `${JSON.stringify(body)} → ${JSON.stringify(bad.body.error)}`);
  }

  assert.deepEqual(await ids(apiKey, `assigneeId=${agent.id}`), [a]);
  assert.deepEqual(await ids(apiKey, 'assigneeId=none'), [b]);
  assert.deepEqual(await ids(apiKey, 'tag=URGENT'), [a], 'the tag filter is normalized too');
  assert.deepEqual(await ids(apiKey, `tag=urgent&assigneeId=none`), []);
  assert.deepEqual(await ids(other.apiKey, 'tag=urgent'), [], 'another org sees none of it');

  const events = await updated(apiKey, a);
  assert.equal(events.length, 1);
  assert.deepEqual(events[0].changes, ['assignee', 'tags']);
  assert.deepEqual(events[0].previous, { assigneeId: null, tags: [] });
  assert.equal(events[0].conversation.assigneeId, agent.id);

  // Disabling the user hands their conversations back to the queue, with an event.
  assert.equal((await h.call(apiKey, 'DELETE', `/v1/users/${agent.id}`)).status, 200);
  assert.deepEqual((await ids(apiKey, 'assigneeId=none')).sort(), [a, b].sort());
  const after = await updated(apiKey, a);
  assert.equal(after.length, 2);
  assert.deepEqual(after[1].previous, { assigneeId: agent.id });
  assert.equal((await h.call(apiKey, 'PATCH', `/v1/conversations/${a}`, { assigneeId: agent.id })).status, 400, 'a disabled user is not assignable');
});

test('rows carry their last message; order=last_activity puts the newest activity first; the preview follows scope and safe mode', async () => {
  const { apiKey } = await h.newOrg();
  const first = (await inbound(apiKey, 'tenant-1', 'first conversation')).conversationId;
  const second = (await inbound(apiKey, 'tenant-2', 'second conversation')).conversationId;
  await inbound(apiKey, 'tenant-1', 'card 4111 1111 1111 1111 please charge it ' + 'x'.repeat(300));

  assert.deepEqual(await ids(apiKey, 'order=created'), [second, first]);
  const byActivity = (await h.call(apiKey, 'GET', '/v1/conversations?order=last_activity')).body;
  assert.deepEqual(byActivity.data.map((c: any) => c.id), [first, second]);
  const row = byActivity.data[0];
  assert.equal(row.lastMessage.direction, 'inbound');
  assert.equal(row.lastMessage.channel, 'chat');
  assert.ok(row.lastMessage.body.startsWith('card 4111 1111 1111 1111 please'), row.lastMessage.body);
  assert.equal(row.lastMessage.body.length, 160, 'cut to the preview length');
  assert.equal(byActivity.data[1].lastMessage.body, 'second conversation');

  // Cursor over last activity: one row per page still walks both.
  const p1 = (await h.call(apiKey, 'GET', '/v1/conversations?order=last_activity&limit=1')).body;
  const p2 = (await h.call(apiKey, 'GET', `/v1/conversations?order=last_activity&limit=1&cursor=${p1.nextCursor}`)).body;
  assert.deepEqual([...p1.data, ...p2.data].map((c: any) => c.id), [first, second]);
  assert.equal(p2.hasMore, false);

  // Without messages:read the row says a message exists, not what it says.
  const convOnly = (await h.call(apiKey, 'POST', '/v1/api-keys', { name: 'lister', scopes: ['conversations:read'] })).body.secret;
  const hidden = (await h.call(convOnly, 'GET', '/v1/conversations?order=last_activity')).body.data[0];
  assert.equal(hidden.lastMessage.body, null);
  assert.equal(hidden.lastMessage.id, row.lastMessage.id);

  // Safe mode stored the text as sent (before_egress): the preview is redacted all the same.
  assert.equal((await h.call(apiKey, 'PATCH', '/v1/org', { settings: { safeMode: { enabled: true, apply: 'before_egress' } } })).status, 200);
  const redacted = (await h.call(apiKey, 'GET', '/v1/conversations?order=last_activity')).body.data[0].lastMessage.body;
  assert.ok(!redacted.includes('4111 1111 1111 1111'), redacted);
  const full = (await h.call(apiKey, 'GET', `/v1/conversations/${first}/messages`)).body.data[0].body;
  assert.ok(full.includes('4111 1111 1111 1111'), 'the message itself is read as stored');

  assert.equal((await h.call(apiKey, 'GET', '/v1/conversations?order=newest')).status, 400);
  assert.equal((await h.call(apiKey, 'GET', '/v1/conversations?assigneeId=bob')).status, 400);
});

test('the rules’ tag and assign actions write the same fields', async () => {
  const { apiKey } = await h.newOrg();
  const agent = await user(apiKey, 'agent', 'Rita');
  const made = await h.call(apiKey, 'POST', '/v1/rules', {
    name: 'leaks to Rita',
    trigger: 'message.received',
    condition: { contains_any_word: [{ var: 'message.body' }, ['leak']] },
    actions: [{ type: 'tag', tags: ['Plumbing'] }, { type: 'assign', assigneeId: agent.id }],
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const legacy = await h.call(apiKey, 'POST', '/v1/rules', { name: 'old', trigger: 'message.received', actions: [{ type: 'assign', assignee: 'team-a' }] });
  assert.equal(legacy.status, 400, 'assign takes assigneeId: a host-app label is set_metadata');
  const id = (await inbound(apiKey, 'tenant-r', 'a leak under the sink')).conversationId;
  const c = await waitFor('the rule to assign', async () => {
    const got = (await h.call(apiKey, 'GET', `/v1/conversations/${id}`)).body;
    return got.assigneeId ? got : null;
  }, 10_000, 50);
  assert.equal(c.assigneeId, agent.id);
  assert.deepEqual(c.tags, ['plumbing']);
  assert.deepEqual(c.metadata, {}, 'nothing lands in metadata');
});
