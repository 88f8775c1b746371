import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';
import { signMeta } from '../kit/index.ts';
import { APP_SECRET, fixtureBody, PHONE_NUMBER_ID, postNotification, VERIFY_TOKEN, whatsappConnection as connect } from './testing.ts';

/**
 * WhatsApp through the platform's real /v1/receive ingress: the GET handshake, signed
 * notifications → contact → conversation → message → events, duplicates, refusals.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

const post = (id: string, body: string, signature?: string | null) => postNotification(h, id, body, signature);

async function messagesCreated(apiKey: string) {
  const sync = await h.call(apiKey, 'GET', '/v1/sync');
  assert.equal(sync.status, 200);
  return sync.body.events.filter((e: { type: string }) => e.type === 'message.created').map((e: { data: { message: any } }) => e.data.message);
}

test('the GET verification handshake through the ingress', async () => {
  const c = await connect(h);
  const ok = await fetch(`${h.baseUrl}/v1/receive/${c.id}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${VERIFY_TOKEN}`);
  assert.equal(ok.status, 200);
  assert.match(ok.headers.get('content-type')!, /^text\/plain/);
  assert.equal(await ok.text(), '1158201444');
  const bad = await fetch(`${h.baseUrl}/v1/receive/${c.id}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=guess`);
  assert.equal(bad.status, 403);
  assert.ok(!(await bad.text()).includes('1158201444'));
});

test('a signed message → contact (with profile name) → conversation → message → one event; a duplicate changes nothing', async () => {
  const c = await connect(h);
  const body = fixtureBody('inbound-text');
  const res = await post(c.id, body);
  assert.equal(res.status, 200, await res.clone().text());
  const again = await post(c.id, body);
  assert.equal(again.status, 200);

  const created = await messagesCreated(c.apiKey);
  assert.equal(created.length, 1, 'the duplicate delivery stored nothing');
  const m = created[0];
  assert.deepEqual([m.direction, m.channel, m.connectionId, m.senderAddress, m.body, m.status], [
    'inbound', 'whatsapp', c.id, PHONE_NUMBER_ID, 'The kitchen sink is leaking again', 'received',
  ]);
  assert.match(m.providerMessageId, /^wamid\./);
  const contact = await h.call(c.apiKey, 'GET', `/v1/contacts/${m.contactId}`);
  assert.equal(contact.body.name, 'Alice Tenant');
  assert.deepEqual(contact.body.handles.map((x: { kind: string; value: string }) => [x.kind, x.value]), [['whatsapp', '+14155550123']]);
});

test('a batch of two entries stores both messages; unknown statuses are acknowledged', async () => {
  const c = await connect(h);
  const res = await post(c.id, fixtureBody('batch-multi-entry'));
  assert.equal(res.status, 200, await res.clone().text());
  const created = await messagesCreated(c.apiKey);
  assert.deepEqual(created.map((m: { body: string }) => m.body).sort(), ['Approved, go ahead', 'Is the plumber coming today?']);
  const contacts = await h.call(c.apiKey, 'GET', '/v1/contacts');
  assert.deepEqual(contacts.body.data.map((x: { name: string }) => x.name).sort(), ['Alice Tenant', 'Bob Owner']);
  assert.ok(!created.some((m: { body: string }) => m.body === 'for another number'), "another phone number's message is not ours");
});

test('a forged, tampered or missing signature → 401 and nothing stored; a payload we cannot map → 400', async () => {
  const c = await connect(h);
  const body = fixtureBody('inbound-image');
  assert.equal((await post(c.id, body, signMeta('not-the-app-secret', body))).status, 401);
  assert.equal((await post(c.id, body.replace('Water', 'Wine!'), signMeta(APP_SECRET, body))).status, 401);
  assert.equal((await post(c.id, body, null)).status, 401);
  assert.deepEqual(await messagesCreated(c.apiKey), []);
  const page = '{"object":"page","entry":[]}';
  assert.equal((await post(c.id, page)).status, 400);
  assert.deepEqual(await messagesCreated(c.apiKey), []);
});
