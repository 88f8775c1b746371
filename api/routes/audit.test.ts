import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';
import { deleteOrg, rotateDataKeys } from '../../core/admin.ts';
import { listAudit } from '../../core/audit/list.ts';
import { verifyOrg } from '../../core/audit/verify.ts';
import { asOwner } from '../../core/audit/testing.ts';
import { defineConnector } from '../../connectors/kit/index.ts';
import { acmeSpec } from '../../connectors/kit/test-connector.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  h.engine.connectors.register(defineConnector(acmeSpec('1.2.0')));
  // A second major with its config migration, to upgrade to.
  const spec = acmeSpec('2.0.0');
  h.engine.connectors.register(defineConnector({ ...spec, manifest: { ...spec.manifest, configMigrations: [{ from: 1, to: 2, transform: '$' }] } }));
});
afterAll(async () => h?.close());

const keyIdOf = async (apiKey: string) => (await h.call(apiKey, 'GET', '/v1/api-keys')).body.data[0].id as string;

test('admin and contact actions are audited with the calling key, the target and no personal data', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const adminKeyId = await keyIdOf(apiKey);
  const created = await h.call(apiKey, 'POST', '/v1/api-keys', { name: 'reader', scopes: ['contacts:read'] }, { 'user-agent': 'audit-test/1' });
  assert.equal((await h.call(apiKey, 'DELETE', `/v1/api-keys/${created.body.id}`)).status, 200);
  assert.equal((await h.call(apiKey, 'DELETE', `/v1/api-keys/${created.body.id}`)).status, 200, 'revoking again');
  assert.equal((await h.call(apiKey, 'PATCH', '/v1/org', { name: 'Renamed', settings: { reopenWindowHours: 2 } })).status, 200);
  const ada = await h.call(apiKey, 'POST', '/v1/contacts', { name: 'Ada Lovelace', handles: [{ kind: 'email', value: 'ada@example.com' }] });
  const bob = await h.call(apiKey, 'POST', '/v1/contacts', { name: 'Bob', handles: [{ kind: 'phone', value: '+14155550100' }] });
  const merged = await h.call(apiKey, 'POST', `/v1/contacts/${ada.body.id}/merge`, { contactId: bob.body.id });
  assert.equal(merged.status, 200);
  assert.equal((await h.call(apiKey, 'POST', `/v1/contacts/merges/${merged.body.merge.id}/undo`)).status, 200);
  await rotateDataKeys(h.engine, orgId);

  const list = await h.call(apiKey, 'GET', '/v1/audit?limit=100');
  assert.equal(list.status, 200);
  const entries = [...list.body.data].reverse();
  assert.deepEqual(
    entries.map((e: any) => e.action),
    ['org.created', 'api_key.created', 'api_key.revoked', 'org.updated', 'contact.merged', 'contact.unmerged', 'keys.rotated'],
  );
  assert.deepEqual(entries.map((e: any) => e.position), [1, 2, 3, 4, 5, 6, 7]);
  const [, keyCreated, keyRevoked, orgUpdated, merge, unmerge, rotated] = entries;
  assert.deepEqual(keyCreated.actor, { type: 'api_key', id: adminKeyId });
  assert.deepEqual(keyCreated.target, { type: 'api_key', id: created.body.id });
  assert.deepEqual(keyCreated.details, { scopes: ['contacts:read'] });
  assert.equal(keyCreated.context.ip, '127.0.0.1');
  assert.match(keyCreated.context.userAgentHash, /^[0-9a-f]{32}$/);
  assert.deepEqual(keyRevoked.target, { type: 'api_key', id: created.body.id });
  assert.deepEqual(orgUpdated.details, { name: true, settings: ['reopenWindowHours'] });
  assert.deepEqual(merge.target, { type: 'contact', id: ada.body.id });
  assert.equal(merge.details.mergedId, bob.body.id);
  assert.equal(unmerge.details.mergeId, merged.body.merge.id);
  assert.deepEqual([rotated.actor.type, rotated.details.version], ['cli', 2]);
  const raw = JSON.stringify(list.body);
  for (const pii of ['Ada Lovelace', 'ada@example.com', '4155550100', 'Renamed', 'audit-test']) assert.ok(!raw.includes(pii), pii);

  const verified = await h.call(apiKey, 'GET', '/v1/audit/verify');
  assert.deepEqual(verified.body, { ok: true, checked: 7, head: { position: 7, hash: entries[6].hash }, unsealed: 0 });
  const filtered = await h.call(apiKey, 'GET', `/v1/audit?action=api_key.created,api_key.revoked&targetId=${created.body.id}`);
  assert.deepEqual(filtered.body.data.map((e: any) => e.action), ['api_key.revoked', 'api_key.created']);
});

test('a deleted org keeps a verifiable trail ending in org.deleted', async () => {
  const { orgId } = await h.newOrg();
  await deleteOrg(h.engine, orgId);
  const page = await listAudit(h.engine.db, orgId);
  assert.deepEqual(page.data.map((e) => [e.action, e.actor.type, e.details]), [
    ['org.deleted', 'cli', { apiKeysRevoked: 1 }],
    ['org.created', 'system', page.data[1].details],
  ]);
  assert.equal((await verifyOrg(h.engine.db, orgId)).ok, true);
});

test('the audit trail is per org and needs the admin scope', async () => {
  const a = await h.newOrg();
  const b = await h.newOrg();
  await h.call(a.apiKey, 'POST', '/v1/api-keys', { name: 'x', scopes: ['admin'] });
  const bList = await h.call(b.apiKey, 'GET', '/v1/audit');
  assert.deepEqual(bList.body.data.map((e: any) => e.action), ['org.created']);
  assert.deepEqual(bList.body.data[0].target, { type: 'org', id: b.orgId });
  const reader = await h.call(a.apiKey, 'POST', '/v1/api-keys', { name: 'r', scopes: ['contacts:read'] });
  assert.equal((await h.call(reader.body.secret, 'GET', '/v1/audit')).status, 403);
  assert.equal((await h.call(reader.body.secret, 'GET', '/v1/audit/verify')).status, 403);
  assert.equal((await h.call(a.apiKey, 'GET', '/v1/audit?cursor=nope')).status, 400);
});

test('GET /v1/audit/verify names the first tampered entry', async () => {
  const { orgId, apiKey } = await h.newOrg();
  for (const name of ['k1', 'k2', 'k3']) await h.call(apiKey, 'POST', '/v1/api-keys', { name, scopes: ['admin'] });
  const entries = (await h.call(apiKey, 'GET', '/v1/audit')).body.data;
  const victim = entries.find((e: any) => e.position === 3);
  await asOwner(h.engine.db, (trx) => trx('audit_log').where({ id: victim.id }).update({ actor_id: 'someone-else' }).then(() => {}));
  const verified = await h.call(apiKey, 'GET', '/v1/audit/verify');
  assert.equal(verified.status, 200);
  assert.equal(verified.body.ok, false);
  assert.deepEqual([verified.body.firstBad.id, verified.body.firstBad.position, verified.body.firstBad.reason], [victim.id, 3, 'edited']);
  assert.equal(verified.body.checked, 3);
  assert.equal(orgId, entries[entries.length - 1].target.id);
});

test('connection changes are audited with ids and versions, never config or secrets', async () => {
  const { apiKey } = await h.newOrg();
  const secret = 'whsec-very-secret-value';
  const c = await h.call(apiKey, 'POST', '/v1/connections', { connector: 'acme-sms@1', name: 'Acme', config: { region: 'us' }, secrets: { webhookSecret: secret } });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  assert.equal((await h.call(apiKey, 'PATCH', `/v1/connections/${c.body.id}`, { name: 'Acme 2', secrets: { webhookSecret: 'rotated-secret' } })).status, 200);
  assert.equal((await h.call(apiKey, 'POST', `/v1/connections/${c.body.id}/upgrade`, { version: '2' })).status, 200);
  assert.equal((await h.call(apiKey, 'DELETE', `/v1/connections/${c.body.id}`)).status, 200);
  const entries = (await h.call(apiKey, 'GET', `/v1/audit?targetType=connection&targetId=${c.body.id}`)).body.data.reverse();
  assert.deepEqual(
    entries.map((e: any) => [e.action, e.details.connector, e.details.version]),
    [
      ['connection.created', 'acme-sms', '1.2.0'],
      ['connection.updated', 'acme-sms', '1.2.0'],
      ['connection.upgraded', 'acme-sms', '2.0.0'],
      ['connection.deleted', 'acme-sms', '2.0.0'],
    ],
  );
  assert.deepEqual(entries[1].details.fields, ['name', 'secrets']);
  assert.deepEqual(entries[1].details.secrets, ['webhookSecret']);
  const raw = JSON.stringify(entries);
  for (const s of [secret, 'rotated-secret', 'Acme 2', '"us"']) assert.ok(!raw.includes(s), s);
});
