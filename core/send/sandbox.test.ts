import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import nock from 'nock';
import { startHarness, type Harness } from '../../test/harness.ts';
import { CUSTOMER, OUR_NUMBER, syncEvents, twilioConnection } from '../../test/connections.ts';
import { waitFor } from '../../test/wait.ts';
import { defineConnector } from '../../connectors/kit/index.ts';
import { acmeSpec, ACME_SECRET } from '../../connectors/kit/test-connector.ts';
import { startRelay, type Relay } from '../events/relay.ts';
import { ingestInbound } from '../messages/ingest.ts';
import { startSendWorker, type SendWorker } from './worker.ts';
import { dispatchRoutes } from '../../app/dispatch-routes.ts';

/**
 * Sandbox connections (no provider is ever called: the network is closed to anything but this
 * server), per-sender pacing, and the customer service window a manifest declares.
 */
let h: Harness;
let relay: Relay;
let worker: SendWorker;
beforeAll(async () => {
  h = await startHarness();
  relay = await startRelay(h.engine, { routes: dispatchRoutes });
  worker = startSendWorker(h.engine);
  // A WhatsApp-like connector with a 24-hour window and no simulateStatus.
  const spec = acmeSpec('1.0.0');
  h.engine.connectors.register(
    defineConnector({
      ...spec,
      id: 'acme-wa',
      displayName: 'Acme WhatsApp',
      channels: ['whatsapp'],
      manifest: { ...spec.manifest, outbound: { ...spec.manifest.outbound!, customerServiceWindowHours: 24 } },
    }),
  );
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
});
afterAll(async () => {
  nock.enableNetConnect();
  await relay?.stop();
  await worker?.stop();
  await h?.close();
});

const getMessage = async (apiKey: string, id: string) => (await h.call(apiKey, 'GET', `/v1/messages/${id}`)).body;
// The sandbox's callbacks follow each other quickly: on a busy machine a poll can miss "sent" and
// see "delivered" next, so a status counts as reached once the message is at it or beyond.
const PROGRESS = ['queued', 'sent', 'delivered', 'read'];
const reached = (status: string, target: string) => status === target || PROGRESS.indexOf(status) > PROGRESS.indexOf(target) && PROGRESS.includes(target);
const untilStatus = (apiKey: string, id: string, status: string) =>
  waitFor(`message ${id} to be ${status}`, async () => {
    const m = await getMessage(apiKey, id);
    return reached(m.status, status) ? m : null;
  }, 8_000, 50);

async function send(apiKey: string, body: Record<string, unknown> = {}) {
  const res = await h.call(apiKey, 'POST', '/v1/messages', { channel: 'sms', to: { handle: { kind: 'phone', value: CUSTOMER } }, body: 'Hello', ...body });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { id: string; conversationId: string };
}

test('sandbox: recorded under an SB id, then sent / delivered callbacks signed and posted through /v1/receive', async () => {
  const { apiKey, orgId } = await h.newOrg();
  const c = await twilioConnection(h, apiKey, { sandbox: true });
  const m = await send(apiKey);
  const delivered = await untilStatus(apiKey, m.id, 'delivered');
  assert.match(delivered.providerMessageId, /^SB[0-9a-f]{32}$/);
  assert.equal(delivered.connectionId, c.id);
  const ofMessage = (events: Awaited<ReturnType<typeof syncEvents>>) => events.filter((e) => e.type === 'message.status_changed' && e.subjectId === m.id);
  const changes = ofMessage(await syncEvents(h, apiKey, (events) => ofMessage(events).length >= 2));
  assert.deepEqual(changes.map((e) => e.data.to), ['sent', 'delivered']);
  // Both callbacks went through the signed ingress and were archived like a provider's.
  const archived = await h.engine.tenant(orgId, (tx) => tx.trx('raw_inbound').where({ connection_id: c.id }).orderBy('received_at'));
  assert.equal(archived.length, 2);
  assert.deepEqual(archived.map((r: { status: string }) => r.status), ['processed', 'processed']);
  assert.ok(archived.every((r: { provider_message_ids: string[] }) => r.provider_message_ids.includes(delivered.providerMessageId)));
});

test('pacing: a sender at 5 messages per second sends 4 queued messages no faster than one per 200 ms', async () => {
  const { apiKey } = await h.newOrg();
  const c = await twilioConnection(h, apiKey, { sandbox: true });
  await h.call(apiKey, 'POST', `/v1/connections/${c.id}/senders`, { channel: 'sms', address: OUR_NUMBER, messagesPerSecond: 5 });
  const startedAt = Date.now();
  const ids = [];
  for (let i = 0; i < 4; i++) ids.push((await send(apiKey, { to: { handle: { kind: 'phone', value: `+1415555020${i}` } } })).id);
  for (const id of ids) await untilStatus(apiKey, id, 'sent');
  const sentAt = (await syncEvents(h, apiKey, (events) => events.filter((e) => e.type === 'message.status_changed' && e.data.to === 'sent').length >= 4))
    .filter((e) => e.type === 'message.status_changed' && e.data.to === 'sent')
    .map((e) => new Date(e.createdAt).getTime());
  assert.equal(sentAt.length, 4);
  // The 4th slot is at least 3 intervals after the 1st, which is no earlier than the first request
  // (a busy machine can only delay sends, never bring them closer).
  const elapsed = Math.max(...sentAt) - startedAt;
  assert.ok(elapsed >= 3 * 200 - 20, `4 sends within ${elapsed} ms of the first request`);
  const sent = await Promise.all(ids.map((id) => getMessage(apiKey, id)));
  assert.ok(sent.every((m) => m.senderAddress === OUR_NUMBER));
});

test('window: free-form WhatsApp outside 24 h → 422 window_closed; a template goes; an inbound opens the window', async () => {
  const { apiKey, orgId } = await h.newOrg();
  const conn = await h.call(apiKey, 'POST', '/v1/connections', { connector: 'acme-wa', name: 'WA', config: {}, secrets: { webhookSecret: ACME_SECRET }, sandbox: true });
  assert.equal(conn.status, 201);
  const wa = { channel: 'whatsapp', to: { handle: { kind: 'whatsapp', value: CUSTOMER } } };
  const closed = await h.call(apiKey, 'POST', '/v1/messages', { ...wa, body: 'Your repair is booked' });
  assert.equal(closed.status, 422);
  assert.equal(closed.body.error.code, 'window_closed');
  assert.match(closed.body.error.message, /template/);
  assert.equal(closed.body.error.details[0].field, '/template');

  const templated = await h.call(apiKey, 'POST', '/v1/messages', { ...wa, template: { id: 'repair_booked', variables: { '1': 'Tuesday' } } });
  assert.equal(templated.status, 201, JSON.stringify(templated.body));
  // No simulateStatus on this connector: the sandbox still completes the flow.
  await untilStatus(apiKey, templated.body.id, 'delivered');

  // An inbound message 25 hours ago does not open it; one now does.
  const from = { handle: { kind: 'whatsapp', value: CUSTOMER } };
  await h.engine.tenant(orgId, (tx) =>
    ingestInbound(tx, { channel: 'whatsapp', from, providerMessageId: 'wamid.old', body: 'hi', receivedAt: new Date(Date.now() - 25 * 3_600_000) }),
  );
  assert.equal((await h.call(apiKey, 'POST', '/v1/messages', { ...wa, body: 'Still there?' })).status, 422);
  await h.engine.tenant(orgId, (tx) => ingestInbound(tx, { channel: 'whatsapp', from, providerMessageId: 'wamid.new', body: 'Is it today?' }));
  const open = await h.call(apiKey, 'POST', '/v1/messages', { ...wa, body: 'Yes, at 3pm' });
  assert.equal(open.status, 201, JSON.stringify(open.body));
  // SMS on the same org has no window.
  await twilioConnection(h, apiKey, { sandbox: true });
  assert.equal((await h.call(apiKey, 'POST', '/v1/messages', { channel: 'sms', to: { handle: { kind: 'phone', value: '+14155550177' } }, body: 'Hi' })).status, 201);
});

test("Twilio declares the window for WhatsApp only: free-form WhatsApp → 422, SMS on the same connection goes", async () => {
  const { apiKey } = await h.newOrg();
  await twilioConnection(h, apiKey, { sandbox: true });
  const wa = await h.call(apiKey, 'POST', '/v1/messages', { channel: 'whatsapp', to: { handle: { kind: 'whatsapp', value: CUSTOMER } }, body: 'Hi' });
  assert.equal(wa.status, 422);
  assert.equal(wa.body.error.code, 'window_closed');
  const sms = await h.call(apiKey, 'POST', '/v1/messages', { channel: 'sms', to: { handle: { kind: 'phone', value: CUSTOMER } }, body: 'Hi' });
  assert.equal(sms.status, 201);
});
