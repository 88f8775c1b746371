import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { startHarness, type Harness } from '../../test/harness.ts';
import { twilioConnection } from '../../test/connections.ts';
import { waitFor } from '../../test/wait.ts';
import { encodeCursor, START } from '../events/cursor.ts';

/** HIPAA mode: non-BAA connectors refused (connection and send), thin sync and WebSocket frames, pii.read audited per request. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const BODY = 'Your biopsy results are ready';

async function hipaaOrg() {
  const org = await h.newOrg();
  await twilioConnection(h, org.apiKey, { sandbox: true });
  const sent = await h.call(org.apiKey, 'POST', '/v1/send', { to: { handle: { kind: 'phone', value: '+12125550142' } }, channel: 'sms', body: BODY });
  assert.equal(sent.status, 201);
  assert.equal((await h.call(org.apiKey, 'PATCH', '/v1/org', { settings: { hipaaMode: true } })).status, 200);
  return { ...org, messageId: sent.body.id as string };
}

test('HIPAA mode: creating a connection of a non-BAA connector is refused; a BAA-eligible one is allowed', async () => {
  const org = await h.newOrg();
  await h.call(org.apiKey, 'PATCH', '/v1/org', { settings: { hipaaMode: true } });
  const wa = await h.call(org.apiKey, 'POST', '/v1/connections', {
    connector: 'whatsapp',
    name: 'WA',
    config: { phoneNumberId: '109876543210987', wabaId: '1234567890' },
    secrets: { accessToken: 'EAAG-test', appSecret: 'a'.repeat(32), verifyToken: 'verify-me' },
  });
  assert.equal(wa.status, 422, JSON.stringify(wa.body));
  assert.equal(wa.body.error.code, 'connector_not_baa_eligible');
  await twilioConnection(h, org.apiKey, { sandbox: true });
});

test('HIPAA mode: /v1/sync carries ids and types only; the content is read through the API, audited as pii.read once per request', async () => {
  const org = await hipaaOrg();
  const sync = await h.call(org.apiKey, 'GET', '/v1/sync?limit=500');
  const text = JSON.stringify(sync.body);
  assert.ok(!text.includes(BODY) && !text.includes('+12125550142') && !text.includes('2125550142'), text.slice(0, 500));
  const created = sync.body.events.find((e: any) => e.type === 'message.created');
  assert.deepEqual(created.data, { thin: true, message: { id: org.messageId } });
  const m = await h.call(org.apiKey, 'GET', `/v1/messages/${org.messageId}`);
  assert.equal(m.body.body, BODY);
  const list = await h.call(org.apiKey, 'GET', `/v1/conversations/${m.body.conversationId}/messages`);
  assert.equal(list.status, 200);
  const reads = await h.engine.tenant(org.orgId, (tx) => tx.trx('audit_log').where({ action: 'pii.read' }).orderBy('seq'));
  const details = reads.map((r: any) => (typeof r.details === 'string' ? JSON.parse(r.details) : r.details));
  assert.deepEqual(details.map((d: any) => [d.route, d.ids]), [
    ['/v1/messages/:id', [org.messageId]],
    ['/v1/conversations/:id/messages', [org.messageId]],
  ]);
});

test('HIPAA mode: WebSocket frames carry ids and types only', async () => {
  const org = await hipaaOrg();
  const ws = new WebSocket(`${h.baseUrl.replace(/^http/, 'ws')}/v1/realtime?cursor=${encodeCursor(START)}`, { headers: { authorization: `Bearer ${org.apiKey}` } });
  const frames: any[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(String(d))));
  try {
    await waitFor('the ready frame', () => frames.find((f) => f.type === 'ready'));
    const created = frames.find((f) => f.type === 'event' && f.event.type === 'message.created');
    assert.deepEqual(created.event.data, { thin: true, message: { id: org.messageId } });
    assert.ok(!JSON.stringify(frames).includes(BODY));
  } finally {
    ws.close();
  }
});

test('without HIPAA mode nothing is thinned nor audited on reads', async () => {
  const org = await h.newOrg();
  await twilioConnection(h, org.apiKey, { sandbox: true });
  const sent = await h.call(org.apiKey, 'POST', '/v1/send', { to: { handle: { kind: 'phone', value: '+12125550143' } }, channel: 'sms', body: BODY });
  await h.call(org.apiKey, 'GET', `/v1/messages/${sent.body.id}`);
  assert.ok(JSON.stringify((await h.call(org.apiKey, 'GET', '/v1/sync?limit=500')).body).includes(BODY));
  assert.equal((await h.engine.tenant(org.orgId, (tx) => tx.trx('audit_log').where({ action: 'pii.read' }))).length, 0);
});
