import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';
import { createPlatform } from '../../core/platforms/platforms.ts';
import { withPlatform } from '../../core/db/tenant.ts';

/**
 * A platform's own POSTs honour Idempotency-Key (the answer may hold a secret, so it is stored
 * sealed), and the platform's own audit trail (GET /v1/platform/audit) records what it did to its
 * orgs and keys and what it changed acting on an org — never another platform's entries.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

async function platform(name: string) {
  const { platform, apiKey } = await createPlatform(h.engine.db, { name });
  return { id: platform.id, key: apiKey };
}

test('platform POSTs: the same Idempotency-Key and body replays the first answer (one org, one key shown once); another body is 409 idempotency_key_reused', async () => {
  const a = await platform('Idem SaaS');
  const key = { 'idempotency-key': 'create-sunset-1' };
  const first = await h.call(a.key, 'POST', '/v1/platform/orgs', { name: 'Sunset' }, key);
  assert.equal(first.status, 201, JSON.stringify(first.body));
  const again = await h.call(a.key, 'POST', '/v1/platform/orgs', { name: 'Sunset' }, key);
  assert.deepEqual([again.status, again.headers.get('idempotent-replayed')], [201, 'true']);
  assert.deepEqual(again.body, first.body, 'the same org and the same (only) API key');
  const orgs = await h.call(a.key, 'GET', '/v1/platform/orgs');
  assert.deepEqual(orgs.body.data.map((o: any) => o.name), ['Sunset'], 'created once');

  const other = await h.call(a.key, 'POST', '/v1/platform/orgs', { name: 'Harbor' }, key);
  assert.deepEqual([other.status, other.body.error.code], [409, 'idempotency_key_reused']);

  // Keys are per platform key: another key of the same platform may use the same string.
  const second = await h.call(a.key, 'POST', '/v1/platform/keys', { name: 'ops', scopes: ['platform:orgs'] }, { 'idempotency-key': 'k-1' });
  assert.equal(second.status, 201);
  const replayedKey = await h.call(a.key, 'POST', '/v1/platform/keys', { name: 'ops', scopes: ['platform:orgs'] }, { 'idempotency-key': 'k-1' });
  assert.equal(replayedKey.body.secret, second.body.secret);
  const viaOps = await h.call(second.body.secret, 'POST', '/v1/platform/orgs', { name: 'Harbor' }, key);
  assert.equal(viaOps.status, 201, 'the same Idempotency-Key from another platform key is a new request');

  // A 4xx answer is kept too: the same invalid request answers the same.
  const bad = await h.call(a.key, 'POST', '/v1/platform/orgs', { name: '' }, { 'idempotency-key': 'bad-1' });
  const badAgain = await h.call(a.key, 'POST', '/v1/platform/orgs', { name: '' }, { 'idempotency-key': 'bad-1' });
  assert.deepEqual([bad.status, badAgain.status, badAgain.body], [400, 400, bad.body]);

  // The stored answer holds the new org's API key: sealed, not in clear text.
  const stored = await withPlatform(h.engine.db, a.id, (trx) => trx('platform_idempotency_keys').select('response_enc'));
  assert.ok(stored.length >= 2);
  for (const row of stored) assert.ok(!Buffer.from(row.response_enc).toString('latin1').includes('sb_live_'), 'no key in clear');

  // Acting on an org, a platform's POSTs keep their keys in that org (as the org's own calls do).
  const org = first.body.org.id;
  const contact = { name: 'Dana', handles: [{ kind: 'email', value: 'dana@example.com' }] };
  const c1 = await h.call(a.key, 'POST', '/v1/contacts', contact, { 'switchboard-org': org, 'idempotency-key': 'c-1' });
  const c2 = await h.call(a.key, 'POST', '/v1/contacts', contact, { 'switchboard-org': org, 'idempotency-key': 'c-1' });
  assert.deepEqual([c1.status, c2.status, c2.body.id], [201, 201, c1.body.id]);
});

test('GET /v1/platform/audit: org create/update/suspend/resume/delete, key mints, sign-in tokens and changes made acting on an org, newest first, paginated; platform:admin only; another platform sees none of it', async () => {
  const a = await platform('Audited SaaS');
  const b = await platform('Other SaaS');
  const created = await h.call(a.key, 'POST', '/v1/platform/orgs', { name: 'Lakeside' }, { 'user-agent': 'propertyco-backend/2.1' });
  const org = created.body.org.id as string;
  assert.equal((await h.call(a.key, 'PATCH', `/v1/platform/orgs/${org}`, { name: 'Lakeside Homes' })).status, 200);
  assert.equal((await h.call(a.key, 'POST', `/v1/platform/orgs/${org}/suspend`, {})).status, 200);
  assert.equal((await h.call(a.key, 'POST', `/v1/platform/orgs/${org}/resume`, {})).status, 200);
  const minted = await h.call(a.key, 'POST', '/v1/platform/keys', { name: 'reader', scopes: ['platform:usage'] });
  const orgKey = await h.call(a.key, 'POST', '/v1/api-keys', { name: 'app', scopes: ['contacts:read'] }, { 'switchboard-org': org });
  assert.equal(orgKey.status, 201);
  assert.equal((await h.call(a.key, 'GET', '/v1/contacts', undefined, { 'switchboard-org': org })).status, 200, 'a read (not recorded)');
  const user = await h.call(a.key, 'POST', '/v1/users', { email: 'm@lakeside.test', role: 'admin', password: 'correct horse battery' }, { 'switchboard-org': org });
  assert.equal(user.status, 201, JSON.stringify(user.body));
  assert.equal((await h.call(a.key, 'POST', `/v1/platform/orgs/${org}/sign-in-tokens`, { userId: user.body.id })).status, 201);
  assert.equal((await h.call(a.key, 'DELETE', `/v1/platform/orgs/${org}`)).status, 204);

  const all: any[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: any = await h.call(a.key, 'GET', `/v1/platform/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(page.status, 200, JSON.stringify(page.body));
    assert.ok(page.body.data.length <= 3);
    all.push(...page.body.data);
    cursor = page.body.nextCursor;
    pages++;
  } while (cursor);
  assert.ok(pages >= 3, `${pages} pages`);
  assert.deepEqual(all.map((e) => e.action).reverse(), [
    'platform_key.created', // the platform's first key (the CLI)
    'org.created',
    'org.updated',
    'org.suspended',
    'org.resumed',
    'platform_key.created',
    'org.acted_on', // POST /v1/api-keys
    'org.acted_on', // POST /v1/users
    'sign_in_token.created',
    'org.deleted',
  ]);
  const byAction = (action: string) => all.filter((e) => e.action === action);
  assert.deepEqual(byAction('platform_key.created').map((e) => e.actor.type).sort(), ['cli', 'platform_key']);
  assert.equal(byAction('platform_key.created').find((e) => e.actor.type === 'platform_key').target.id, minted.body.id);
  assert.deepEqual(byAction('org.acted_on').map((e) => [e.orgId, e.details.method, e.details.route, e.details.status]).reverse(), [
    [org, 'POST', '/v1/api-keys', 201],
    [org, 'POST', '/v1/users', 201],
  ]);
  const creation = byAction('org.created')[0];
  assert.deepEqual([creation.orgId, creation.actor.type, creation.details.apiKeyId !== undefined], [org, 'platform_key', true]);
  assert.match(creation.context.userAgentHash, /^[0-9a-f]{32}$/);
  assert.equal(byAction('org.deleted')[0].details.apiKeysRevoked, 2, 'the first key and the one minted acting on it');

  // Filters, bad cursors, scopes, and the other platform.
  const onlyOrg = await h.call(a.key, 'GET', `/v1/platform/audit?action=org.suspended,org.resumed&orgId=${org}`);
  assert.deepEqual(onlyOrg.body.data.map((e: any) => e.action), ['org.resumed', 'org.suspended']);
  const badCursor = await h.call(a.key, 'GET', '/v1/platform/audit?cursor=nope');
  assert.deepEqual([badCursor.status, badCursor.body.error.details?.[0]?.field], [400, 'cursor']);
  assert.equal((await h.call(minted.body.secret, 'GET', '/v1/platform/audit')).status, 403, 'platform:usage is not enough');
  assert.equal((await h.call(orgKey.body.secret, 'GET', '/v1/platform/audit')).status, 401, "the org's keys died with it");
  const theirs = await h.call(b.key, 'GET', '/v1/platform/audit');
  assert.deepEqual(theirs.body.data.map((e: any) => e.action), ['platform_key.created']);
  const sql = await withPlatform(h.engine.db, b.id, (trx) => trx('platform_audit_log').where({ platform_id: a.id }));
  assert.deepEqual(sql, [], 'RLS hides the other platform');
  // Append-only for the app role.
  await assert.rejects(withPlatform(h.engine.db, a.id, (trx) => trx('platform_audit_log').update({ action: 'nothing' })), /permission denied/);
});
