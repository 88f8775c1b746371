import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

test('GET /v1/org shows settings with their defaults; PATCH changes them and threading obeys', async () => {
  const { apiKey } = await h.newOrg('Acme');
  const org = await h.call(apiKey, 'GET', '/v1/org');
  assert.equal(org.status, 200);
  assert.equal(org.body.name, 'Acme');
  assert.equal(org.body.settings.reopenWindowHours, 168);

  const patched = await h.call(apiKey, 'PATCH', '/v1/org', { name: 'Acme Homes', settings: { reopenWindowHours: 0 } });
  assert.equal(patched.status, 200);
  assert.equal(patched.body.name, 'Acme Homes');
  assert.equal(patched.body.settings.reopenWindowHours, 0);

  // With a zero-hour window every inbound message starts a new conversation.
  const contact = await h.call(apiKey, 'POST', '/v1/contacts', { handles: [{ kind: 'app_user', value: 'u1' }] });
  const post = () => h.call(apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { contactId: contact.body.id }, body: 'hi' });
  const a = await post();
  const b = await post();
  assert.notEqual(a.body.conversationId, b.body.conversationId);

  const reset = await h.call(apiKey, 'PATCH', '/v1/org', { settings: { reopenWindowHours: null } });
  assert.equal(reset.body.settings.reopenWindowHours, 168);
  const c = await post();
  const d = await post();
  assert.equal(c.body.conversationId, d.body.conversationId);
});

test('bad settings are refused with the field at fault and change nothing', async () => {
  const { apiKey } = await h.newOrg();
  const bad = await h.call(apiKey, 'PATCH', '/v1/org', { settings: { reopenWindowHours: -1 } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.details[0].field, '/settings/reopenWindowHours');
  const unknown = await h.call(apiKey, 'PATCH', '/v1/org', { settings: { colour: 'blue' } });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.error.details[0].field, '/settings/colour');
  const org = await h.call(apiKey, 'GET', '/v1/org');
  assert.equal(org.body.settings.reopenWindowHours, 168);
});

test('org settings need the admin scope', async () => {
  const { apiKey } = await h.newOrg();
  const reader = await h.call(apiKey, 'POST', '/v1/api-keys', { name: 'r', scopes: ['messages:read'] });
  assert.equal((await h.call(reader.body.secret, 'GET', '/v1/org')).status, 403);
});

test('the settings JSON Schema is served: every section with its defaults, and settings valid by it are accepted', async () => {
  const { apiKey } = await h.newOrg();
  const res = await h.call(apiKey, 'GET', '/v1/org/settings-schema');
  assert.equal(res.status, 200);
  assert.equal(res.body.additionalProperties, false);
  const org = await h.call(apiKey, 'GET', '/v1/org');
  // The schema names exactly the sections GET /v1/org answers, each with a default.
  assert.deepEqual(Object.keys(res.body.properties).sort(), Object.keys(org.body.settings).sort());
  assert.equal(res.body.properties.reopenWindowHours.default, 168);
  assert.equal(res.body.properties.hipaaMode.type, 'boolean');
  // What a form renders from the schema's defaults is what the server accepts back.
  const defaults = Object.fromEntries(Object.entries(res.body.properties).map(([k, p]: [string, any]) => [k, p.default]));
  assert.equal((await h.call(apiKey, 'PATCH', '/v1/org', { settings: defaults })).status, 200);
  const reader = await h.call(apiKey, 'POST', '/v1/api-keys', { name: 'r', scopes: ['messages:read'] });
  assert.equal((await h.call(reader.body.secret, 'GET', '/v1/org/settings-schema')).status, 403);
});
