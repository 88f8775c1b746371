import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';
import { createPlatform } from './platforms.ts';

/**
 * Issue 17's "stored bytes" usage: every stored message adds the bytes of its encrypted content
 * (body, subject, media) to storage.bytes for its org and day, read back through
 * GET /v1/platform/usage (and its CSV) — a 4 KB body counts about 4 KB more than a short one.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

async function storedBytes(key: string, orgId: string): Promise<number> {
  const usage = await h.call(key, 'GET', `/v1/platform/usage?orgId=${orgId}`);
  assert.equal(usage.status, 200, JSON.stringify(usage.body));
  return usage.body.data.filter((r: any) => r.metric === 'storage.bytes').reduce((n: number, r: any) => n + r.quantity, 0);
}

test('storage.bytes grows by the encrypted size of each stored message, per org', async () => {
  const { apiKey: key } = await createPlatform(h.engine.db, { name: 'Storage Co' });
  const orgs = [];
  for (const name of ['Small talker', 'Long writer']) {
    const made = await h.call(key, 'POST', '/v1/platform/orgs', { name });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    orgs.push({ id: made.body.org.id as string, apiKey: made.body.apiKey as string });
  }
  const say = async (apiKey: string, body: string) => {
    const contact = await h.call(apiKey, 'POST', '/v1/contacts', { handles: [{ kind: 'app_user', value: `u-${body.length}-${Math.random()}` }] });
    const msg = await h.call(apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { contactId: contact.body.id }, body });
    assert.equal(msg.status, 201, JSON.stringify(msg.body));
  };
  assert.equal(await storedBytes(key, orgs[0]!.id), 0, 'nothing stored yet');
  await say(orgs[0]!.apiKey, 'hi');
  const one = await storedBytes(key, orgs[0]!.id);
  assert.ok(one >= 2 && one < 200, `a 2-character body is stored in ${one} bytes (ciphertext + nonce/tag)`);
  await say(orgs[0]!.apiKey, 'ok');
  assert.equal(await storedBytes(key, orgs[0]!.id), one * 2, 'the same size again: the same bytes again');

  await say(orgs[1]!.apiKey, 'x'.repeat(4096));
  const long = await storedBytes(key, orgs[1]!.id);
  assert.ok(long >= 4096 && long - one >= 4094 && long - one < 4096 + 200, `a 4 KB body: ${long} bytes`);
  assert.equal(await storedBytes(key, orgs[0]!.id), one * 2, "one org's storage is not another's");

  const csv = await fetch(`${h.baseUrl}/v1/platform/usage?format=csv&orgId=${orgs[1]!.id}`, { headers: { authorization: `Bearer ${key}` } });
  const text = await csv.text();
  const line = text.split(/\r?\n/).find((l) => l.includes('"storage.bytes"'));
  assert.ok(line?.endsWith(`,"${long}"`), `${csv.status} ${text}`);
});
