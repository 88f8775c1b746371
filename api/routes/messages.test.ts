import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';
import { findOrCreateContactByHandle } from '../../core/identity/contacts.ts';
import { insertApiKey } from '../../core/orgs.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

async function contact(orgId: string, kind: string, value: string) {
  return (await h.engine.tenant(orgId, (tx) => findOrCreateContactByHandle(tx, { kind, value }))).contactId;
}

test('an inbound chat message from a contact lands in a conversation findable by its metadata', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const contactId = await contact(orgId, 'phone', '+1 (415) 555-0134');
  const posted = await h.call(apiKey, 'POST', '/v1/messages', {
    direction: 'inbound',
    channel: 'chat',
    from: { contactId },
    body: 'The sink in 4B is leaking',
    metadata: { unit: '4B', property: 'Elm St' },
  });
  assert.equal(posted.status, 201, JSON.stringify(posted.body));
  const m = posted.body;
  assert.equal(m.object, 'message');
  assert.equal(m.direction, 'inbound');
  assert.equal(m.status, 'received');
  assert.equal(m.contactId, contactId);
  assert.ok(m.conversationId);

  const found = await h.call(apiKey, 'GET', '/v1/conversations?metadata[unit]=4B');
  assert.equal(found.status, 200);
  assert.deepEqual(found.body.data.map((c: any) => c.id), [m.conversationId]);
  assert.equal(found.body.hasMore, false);
  assert.equal(found.body.nextCursor, null);
  const both = await h.call(apiKey, 'GET', '/v1/conversations?metadata[unit]=4B&metadata[property]=Elm%20St');
  assert.equal(both.body.data.length, 1);
  for (const q of ['metadata[unit]=4C', 'metadata[unit]=4B&metadata[property]=Oak', 'status=closed', 'channel=sms']) {
    assert.deepEqual((await h.call(apiKey, 'GET', `/v1/conversations?${q}`)).body.data, [], q);
  }

  const conv = await h.call(apiKey, 'GET', `/v1/conversations/${m.conversationId}`);
  assert.equal(conv.status, 200);
  assert.equal(conv.body.object, 'conversation');
  assert.equal(conv.body.channel, 'chat');
  assert.deepEqual(conv.body.metadata, { unit: '4B', property: 'Elm St' });
  assert.deepEqual(conv.body.participants.map((p: any) => [p.role, p.contactId]), [['customer', contactId]]);

  const sync = await h.call(apiKey, 'GET', '/v1/sync');
  const created = sync.body.events.find((e: any) => e.type === 'message.created');
  assert.equal(created.data.message.id, m.id);
  assert.equal(created.data.message.body, 'The sink in 4B is leaking');
});

test('POST /v1/send queues an outbound message; replies in a conversation default to its customer', async () => {
  const { apiKey } = await h.newOrg();
  const sent = await h.call(apiKey, 'POST', '/v1/send', {
    channel: 'sms',
    to: { handle: { kind: 'phone', value: '+14155550150' } },
    from: { address: '+14155550000' },
    body: 'Your tech is on the way',
  });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
  assert.equal(sent.body.status, 'queued');
  assert.equal(sent.body.direction, 'outbound');
  assert.equal(sent.body.senderAddress, '+14155550000');

  const reply = await h.call(apiKey, 'POST', '/v1/messages', { conversationId: sent.body.conversationId, body: 'Arriving at 3pm' });
  assert.equal(reply.status, 201, JSON.stringify(reply.body));
  assert.equal(reply.body.conversationId, sent.body.conversationId);
  assert.equal(reply.body.channel, 'sms');
  assert.equal(reply.body.contactId, sent.body.contactId);

  const got = await h.call(apiKey, 'GET', `/v1/messages/${reply.body.id}`);
  assert.deepEqual(got.body, reply.body);
});

test('an inbound externalId is deduplicated', async () => {
  const { apiKey } = await h.newOrg();
  const post = () =>
    h.call(apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { handle: { kind: 'app_user', value: 'u-7' } }, body: 'hi', externalId: 'app-msg-1' });
  const a = await post();
  const b = await post();
  assert.equal(a.status, 201);
  assert.equal(b.body.id, a.body.id);
  assert.equal(a.body.providerMessageId, 'app-msg-1');
  const list = await h.call(apiKey, 'GET', `/v1/conversations/${a.body.conversationId}/messages`);
  assert.equal(list.body.data.length, 1);
});

test('messages page newest first with a cursor', async () => {
  const { apiKey } = await h.newOrg();
  const ids: string[] = [];
  let conversationId: string | undefined;
  for (let i = 0; i < 5; i++) {
    const r = await h.call(apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { handle: { kind: 'app_user', value: 'pager' } }, body: `m${i}` });
    ids.push(r.body.id);
    conversationId = r.body.conversationId;
  }
  const seen: string[] = [];
  let cursor = '';
  for (let page = 0; page < 5; page++) {
    const r = await h.call(apiKey, 'GET', `/v1/conversations/${conversationId}/messages?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200);
    seen.push(...r.body.data.map((m: any) => m.id));
    if (!r.body.hasMore) break;
    cursor = r.body.nextCursor;
  }
  assert.deepEqual(seen, [...ids].reverse());
  const bad = await h.call(apiKey, 'GET', `/v1/conversations/${conversationId}/messages?cursor=nonsense`);
  assert.equal(bad.status, 400);
});

test('validation: field paths on 400, 422 for inbound on a provider channel or an unreachable contact', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const contactId = await contact(orgId, 'app_user', 'chat-only');
  const cases: [unknown, number, string][] = [
    [{ channel: 'sms', to: { contactId }, body: 'x'.repeat(10_001) }, 400, '/body'],
    [{ channel: 'sms', to: { contactId }, body: '  ' }, 400, '/body'],
    [{ channel: 'sms', to: { contactId }, body: 'hi', colour: 'red' }, 400, '/colour'],
    [{ channel: 'sms', body: 'hi' }, 400, '/to'],
    [{ body: 'hi', to: { contactId } }, 400, '/channel'],
    [{ channel: 'SMS!', to: { contactId }, body: 'hi' }, 400, '/channel'],
    [{ channel: 'sms', to: { handle: { kind: 'phone', value: '555' } }, body: 'hi' }, 400, '/to/handle/value'],
    [{ channel: 'sms', to: { contactId }, body: 'hi', externalId: 'x' }, 400, '/externalId'],
    [{ direction: 'inbound', channel: 'chat', body: 'hi' }, 400, '/from'],
    [{ direction: 'inbound', channel: 'sms', from: { contactId }, body: 'hi' }, 422, '/channel'],
    [{ channel: 'sms', to: { contactId }, body: 'hi' }, 422, '/to'],
    [{ channel: 'sms', to: { handle: { kind: 'email', value: 'a@b.co' } }, body: 'hi' }, 422, '/to/handle/kind'],
  ];
  for (const [body, status, field] of cases) {
    const r = await h.call(apiKey, 'POST', '/v1/messages', body);
    assert.equal(r.status, status, `${JSON.stringify(body).slice(0, 80)} → ${JSON.stringify(r.body)}`);
    assert.ok(r.body.error.details.some((d: any) => d.field === field), `${field} in ${JSON.stringify(r.body.error.details)}`);
  }
  const media = await h.call(apiKey, 'POST', '/v1/messages', {
    direction: 'inbound', channel: 'chat', from: { contactId }, media: [{ url: 'https://cdn.example/p.jpg', contentType: 'image/jpeg' }],
  });
  assert.equal(media.status, 201, 'media without a body is a message');
});

test('scopes: a read-only key cannot send', async () => {
  const { orgId } = await h.newOrg();
  const { secret } = await h.engine.tenant(orgId, (tx) => insertApiKey(tx.trx, orgId, { name: 'ro', scopes: ['conversations:read', 'messages:read'] }));
  const r = await h.call(secret, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { handle: { kind: 'app_user', value: 'x' } }, body: 'hi' });
  assert.equal(r.status, 403);
  assert.equal((await h.call(secret, 'GET', '/v1/conversations')).status, 200);
  assert.equal((await h.call(secret, 'PATCH', `/v1/conversations/00000000-0000-4000-8000-000000000000`, { status: 'closed' })).status, 403);
});
