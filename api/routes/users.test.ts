import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';

/** Dashboard users and sessions: scrypt hashes, roles mapped to scopes, bearer and cookie, logout, HIPAA lifetime. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const PASSWORD = 'correct horse battery staple';
let n = 0;
const email = () => `user${++n}.${Date.now()}@acme.test`;

async function signIn(address: string, password = PASSWORD) {
  const res = await fetch(`${h.baseUrl}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: address, password }) });
  return { status: res.status, body: await res.json(), cookie: res.headers.get('set-cookie') };
}

test('an admin adds users; a session signs in by bearer or cookie with its role’s scopes; logout ends it', async () => {
  const org = await h.newOrg();
  const agentEmail = email();
  const created = await h.call(org.apiKey, 'POST', '/v1/users', { email: agentEmail, role: 'agent', password: PASSWORD, name: 'Agent' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.password, undefined);
  const stored = await h.engine.tenant(org.orgId, (tx) => tx.trx('users').where({ id: created.body.id }).first());
  assert.match(stored.password_hash, /^scrypt\$16384\$8\$1\$/);
  assert.ok(!stored.password_hash.includes(PASSWORD));
  assert.equal((await h.call(org.apiKey, 'POST', '/v1/users', { email: agentEmail, role: 'viewer', password: PASSWORD })).status, 409);
  assert.equal((await h.call(org.apiKey, 'POST', '/v1/users', { email: email(), role: 'agent', password: 'short' })).status, 400);

  assert.equal((await signIn(agentEmail, 'wrong password!!')).status, 401);
  assert.equal((await signIn('nobody@acme.test')).status, 401);
  const s = await signIn(agentEmail);
  assert.equal(s.status, 201);
  assert.match(s.body.token, /^sbs_/);
  assert.match(s.cookie!, /sb_session=.+; HttpOnly; SameSite=Strict; Path=\/; Max-Age=43200/);
  // Bearer: an agent reads and sends, but is not an admin.
  assert.equal((await h.call(s.body.token, 'GET', '/v1/conversations')).status, 200);
  assert.equal((await h.call(s.body.token, 'GET', '/v1/users')).status, 403);
  assert.equal((await h.call(s.body.token, 'POST', '/v1/users', { email: email(), role: 'admin', password: PASSWORD })).status, 403);
  // The current session: who, which org, which scopes (the dashboard's role awareness); an API key has none.
  const current = await h.call(s.body.token, 'GET', '/v1/sessions/current');
  assert.equal(current.status, 200);
  assert.equal(current.body.user.email, agentEmail);
  assert.equal(current.body.user.role, 'agent');
  assert.equal(current.body.org.id, org.orgId);
  assert.ok(current.body.scopes.includes('messages:send') && !current.body.scopes.includes('admin'));
  assert.equal((await h.call(org.apiKey, 'GET', '/v1/sessions/current')).status, 401);
  assert.equal((await h.call(null, 'GET', '/v1/sessions/current')).status, 401);
  // Cookie.
  const viaCookie = await fetch(`${h.baseUrl}/v1/conversations`, { headers: { cookie: s.cookie!.split(';')[0]! } });
  assert.equal(viaCookie.status, 200);
  // A viewer cannot send.
  const viewerEmail = email();
  await h.call(org.apiKey, 'POST', '/v1/users', { email: viewerEmail, role: 'viewer', password: PASSWORD });
  const v = await signIn(viewerEmail);
  const send = await h.call(v.body.token, 'POST', '/v1/messages', { channel: 'sms', to: { handle: { kind: 'phone', value: '+12125550100' } }, body: 'x' });
  assert.equal(send.status, 403);
  // Logout: the token stops working, the cookie is cleared; audited as the user.
  const out = await h.call(s.body.token, 'DELETE', '/v1/sessions/current');
  assert.equal(out.status, 204);
  assert.match(out.headers.get('set-cookie')!, /Max-Age=0/);
  assert.equal((await h.call(s.body.token, 'GET', '/v1/conversations')).status, 401);
  const actions = await h.engine.tenant(org.orgId, (tx) => tx.trx('audit_log').select('action', 'actor_type').whereIn('action', ['user.created', 'session.created', 'session.ended']).orderBy('seq'));
  assert.deepEqual(actions.map((a: any) => `${a.action}:${a.actor_type}`), [
    'user.created:api_key',
    'session.created:user',
    'user.created:api_key',
    'session.created:user',
    'session.ended:user',
  ]);
  // Signing out needs a session, not an API key.
  assert.equal((await h.call(org.apiKey, 'DELETE', '/v1/sessions/current')).status, 400);
});

test('HIPAA mode shortens sessions to 15 minutes; sessionMaxMinutes sets the lifetime otherwise', async () => {
  const org = await h.newOrg();
  await h.call(org.apiKey, 'PATCH', '/v1/org', { settings: { sessionMaxMinutes: 60 } });
  const a = email();
  await h.call(org.apiKey, 'POST', '/v1/users', { email: a, role: 'admin', password: PASSWORD });
  const s1 = await signIn(a);
  assert.match(s1.cookie!, /Max-Age=3600/);
  await h.call(org.apiKey, 'PATCH', '/v1/org', { settings: { hipaaMode: true } });
  const s2 = await signIn(a);
  assert.match(s2.cookie!, /Max-Age=900/);
  assert.ok(new Date(s2.body.expiresAt).getTime() - Date.now() <= 15 * 60_000);
  // An admin session can add users; an owner only by an owner.
  assert.equal((await h.call(s2.body.token, 'POST', '/v1/users', { email: email(), role: 'agent', password: PASSWORD })).status, 201);
  assert.equal((await h.call(s2.body.token, 'POST', '/v1/users', { email: email(), role: 'owner', password: PASSWORD })).status, 403);
});

test('roles change and users are disabled; owners only by an owner, the last owner stays; a disabled user’s session ends', async () => {
  const org = await h.newOrg();
  const add = async (role: string) => {
    const address = email();
    const res = await h.call(org.apiKey, 'POST', '/v1/users', { email: address, role, password: PASSWORD });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { id: res.body.id as string, token: (await signIn(address)).body.token as string };
  };
  const owner = await add('owner');
  const admin = await add('admin');
  const agent = await add('agent');
  // An admin promotes an agent to viewer-and-back, but cannot touch or make an owner.
  const changed = await h.call(admin.token, 'PATCH', `/v1/users/${agent.id}`, { role: 'viewer', name: 'Val' });
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
  assert.deepEqual([changed.body.role, changed.body.name], ['viewer', 'Val']);
  // The role holds on the agent's live session at once.
  assert.equal((await h.call(agent.token, 'POST', '/v1/messages', { channel: 'sms', to: { handle: { kind: 'phone', value: '+12125550100' } }, body: 'x' })).status, 403);
  assert.equal((await h.call(admin.token, 'PATCH', `/v1/users/${agent.id}`, { role: 'owner' })).status, 403);
  assert.equal((await h.call(admin.token, 'PATCH', `/v1/users/${owner.id}`, { role: 'admin' })).status, 403);
  assert.equal((await h.call(admin.token, 'DELETE', `/v1/users/${owner.id}`)).status, 403);
  // The only owner can be neither demoted nor disabled, by anyone.
  const last = await h.call(org.apiKey, 'PATCH', `/v1/users/${owner.id}`, { role: 'admin' });
  assert.equal(last.status, 409);
  assert.equal(last.body.error.details[0].field, '/role');
  assert.equal((await h.call(owner.token, 'DELETE', `/v1/users/${owner.id}`)).status, 422);
  // With a second owner, the first may step down.
  assert.equal((await h.call(owner.token, 'PATCH', `/v1/users/${admin.id}`, { role: 'owner' })).status, 200);
  assert.equal((await h.call(admin.token, 'PATCH', `/v1/users/${owner.id}`, { role: 'admin' })).body.role, 'admin');
  // Disable: the session stops working, the user leaves the list, a second disable is 404.
  assert.equal((await h.call(admin.token, 'DELETE', `/v1/users/${agent.id}`)).status, 200);
  assert.equal((await h.call(agent.token, 'GET', '/v1/conversations')).status, 401);
  const list = await h.call(org.apiKey, 'GET', '/v1/users');
  assert.ok(!list.body.data.some((u: any) => u.id === agent.id));
  assert.equal((await h.call(admin.token, 'DELETE', `/v1/users/${agent.id}`)).status, 404);
  assert.equal((await h.call(agent.token, 'PATCH', `/v1/users/${admin.id}`, { role: 'viewer' })).status, 401);
  const audit = await h.engine.tenant(org.orgId, (tx) => tx.trx('audit_log').select('action', 'details').whereIn('action', ['user.role_changed', 'user.disabled']).orderBy('seq'));
  assert.deepEqual(audit.map((a: any) => a.action), ['user.role_changed', 'user.role_changed', 'user.role_changed', 'user.disabled']);
  // Other orgs' users are not found.
  const other = await h.newOrg();
  assert.equal((await h.call(other.apiKey, 'PATCH', `/v1/users/${admin.id}`, { role: 'viewer' })).status, 404);
});
