import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import nock from 'nock';
import { startHarness, type Harness } from '../../test/harness.ts';
import { reply } from '../../test/nock-reply.ts';
import { createPlatform } from '../../core/platforms/platforms.ts';

/**
 * Invitations: POST /v1/invitations creates the user and a single-use link (emailed through the
 * org's SendGrid connection, nock on v3/mail/send, or shown to the admin when the org has no email
 * path); the link signs in once (POST /v1/sessions/exchange) and PUT /v1/sessions/current/password
 * sets the password, accepting the invitation; resend replaces the link; the link is on the
 * platform's custom domain when the org has one.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const PASSWORD = 'my own chosen password';
const address = () => `invitee.${crypto.randomUUID().slice(0, 8)}@acme.test`;
const tokenOf = (url: string) => /\/invite#sign_in_token=(sbt_\S+)$/.exec(url)?.[1];

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${h.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

test('invite → the link signs in once → the invitee sets a password without a current one → signed in with it; the invitation is accepted', async () => {
  const org = await h.newOrg();
  const email = address();
  const invited = await h.call(org.apiKey, 'POST', '/v1/invitations', { email, name: 'Robin', role: 'agent' });
  assert.equal(invited.status, 201, JSON.stringify(invited.body));
  assert.equal(invited.body.object, 'invitation');
  assert.deepEqual([invited.body.user.email, invited.body.user.role, invited.body.user.invitation], [email, 'agent', 'pending']);
  assert.equal(invited.body.email.sent, false, 'no email connection: nothing sent');
  assert.match(invited.body.email.reason, /no active email connection/);
  assert.ok(invited.body.inviteUrl.startsWith(`${h.engine.config.publicUrl.replace(/\/$/, '')}/invite#sign_in_token=sbt_${org.orgId}_`), invited.body.inviteUrl);
  assert.ok(Date.parse(invited.body.expiresAt) > Date.now() + 6 * 86_400_000);
  // The created user has a password nobody knows: signing in with anything fails.
  assert.equal((await post('/v1/sessions', { email, password: PASSWORD })).status, 401);

  const token = tokenOf(invited.body.inviteUrl)!;
  const session = await post('/v1/sessions/exchange', { token });
  assert.equal(session.status, 201, JSON.stringify(session.body));
  assert.equal(session.body.user.email, email);
  assert.equal(session.body.user.mustSetPassword, true);
  assert.equal((await post('/v1/sessions/exchange', { token })).status, 401, 'the link works once');
  const current = await h.call(session.body.token, 'GET', '/v1/sessions/current');
  assert.equal(current.body.user.mustSetPassword, true);

  assert.equal((await h.call(session.body.token, 'PUT', '/v1/sessions/current/password', { password: 'short' })).status, 400);
  const set = await h.call(session.body.token, 'PUT', '/v1/sessions/current/password', { password: PASSWORD });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.deepEqual(set.body, { object: 'password', inviteAccepted: true });
  assert.equal((await h.call(session.body.token, 'GET', '/v1/sessions/current')).body.user.mustSetPassword, false);
  const signedIn = await post('/v1/sessions', { email, password: PASSWORD });
  assert.equal(signedIn.status, 201);
  assert.equal(signedIn.body.user.mustSetPassword, false);
  const users = await h.call(org.apiKey, 'GET', '/v1/users');
  assert.equal(users.body.data.find((u: any) => u.email === email).invitation, 'accepted');

  // Now a change needs the current password.
  const again = await h.call(signedIn.body.token, 'PUT', '/v1/sessions/current/password', { password: 'another long password' });
  assert.equal(again.status, 400);
  assert.equal(again.body.error.details[0].field, '/currentPassword');
  const wrong = await h.call(signedIn.body.token, 'PUT', '/v1/sessions/current/password', { password: 'another long password', currentPassword: 'not my password' });
  assert.equal(wrong.status, 403);
  const changed = await h.call(signedIn.body.token, 'PUT', '/v1/sessions/current/password', { password: 'another long password', currentPassword: PASSWORD });
  assert.deepEqual(changed.body, { object: 'password', inviteAccepted: false });
  assert.equal((await h.call(session.body.token, 'GET', '/v1/sessions/current')).status, 401, "the user's other sessions ended");

  // An accepted invitation is not resent; an API key cannot set a password; the audit names each step.
  const resend = await h.call(org.apiKey, 'POST', `/v1/users/${invited.body.user.id}/invitation`);
  assert.equal(resend.status, 409);
  assert.equal((await h.call(org.apiKey, 'PUT', '/v1/sessions/current/password', { password: PASSWORD })).status, 401);
  const actions = await h.engine.tenant(org.orgId, (tx) => tx.trx('audit_log').where({ target_id: invited.body.user.id }).orderBy('created_at').pluck('action'));
  for (const a of ['user.invited', 'user.invitation_accepted', 'user.password_changed']) assert.ok(actions.includes(a), `${a} in ${actions}`);
});

test("the invitation email leaves through the org's SendGrid connection under its white-label name; resend mints a new link and the old one stops working", async () => {
  const org = await h.newOrg();
  assert.equal((await h.call(org.apiKey, 'PATCH', '/v1/org', { settings: { branding: { displayName: 'Sunset Apartments', emailFromDomain: 'mail.sunset.example' } } })).status, 200);
  const conn = await h.call(org.apiKey, 'POST', '/v1/connections', {
    connector: 'sendgrid',
    name: 'SendGrid',
    config: { fromAddress: 'leasing@sunset.example' },
    secrets: { apiKey: 'SG.test-key-000000000000.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG' },
  });
  assert.equal(conn.status, 201, JSON.stringify(conn.body));
  const mails: any[] = [];
  const scope = nock('https://api.sendgrid.com')
    .post('/v3/mail/send', (b: any) => (mails.push(b), true))
    .times(2)
    .reply(...reply(202, '', { 'x-message-id': 'sg-invite-0001' }));
  const email = address();
  const invited = await h.call(org.apiKey, 'POST', '/v1/invitations', { email, role: 'viewer' });
  assert.equal(invited.status, 201, JSON.stringify(invited.body));
  assert.deepEqual(invited.body.email, { sent: true, connectionId: conn.body.id, reason: null });
  assert.equal(mails.length, 1);
  assert.deepEqual(mails[0].personalizations[0].to, [{ email }]);
  assert.deepEqual(mails[0].from, { email: 'leasing@mail.sunset.example', name: 'Sunset Apartments' });
  assert.equal(mails[0].subject, 'You are invited to Sunset Apartments');
  const text = mails[0].content.find((c: any) => c.type === 'text/plain').value as string;
  assert.ok(text.includes(invited.body.inviteUrl), 'the email carries the link');
  assert.match(text, /as viewer/);
  // The link is in no conversation (agents cannot read it).
  assert.deepEqual((await h.call(org.apiKey, 'GET', '/v1/conversations')).body.data, []);

  const resent = await h.call(org.apiKey, 'POST', `/v1/users/${invited.body.user.id}/invitation`);
  assert.equal(resent.status, 200, JSON.stringify(resent.body));
  assert.equal(resent.body.email.sent, true);
  assert.notEqual(resent.body.inviteUrl, invited.body.inviteUrl);
  assert.equal(mails.length, 2);
  assert.ok(mails[1].content[0].value.includes(resent.body.inviteUrl));
  assert.ok(scope.isDone());
  assert.equal((await post('/v1/sessions/exchange', { token: tokenOf(invited.body.inviteUrl) })).status, 401, 'the first link stopped working');
  assert.equal((await post('/v1/sessions/exchange', { token: tokenOf(resent.body.inviteUrl) })).status, 201);
});

test("on a platform with a custom domain, the link is on that domain (PUBLIC_URL's scheme and port); only admins invite; a taken email is 409", async () => {
  const { apiKey: platformKey } = await createPlatform(h.engine.db, { name: 'PropertyCo' });
  const domain = `app-${crypto.randomUUID().slice(0, 8)}.propertyco.test`;
  assert.equal((await h.call(platformKey, 'PATCH', '/v1/platform', { domains: [domain] })).status, 200);
  const made = await h.call(platformKey, 'POST', '/v1/platform/orgs', { name: 'Sunset Apartments LLC' });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const orgId = made.body.org.id;
  const email = address();
  const invited = await h.call(platformKey, 'POST', '/v1/invitations', { email, role: 'admin' }, { 'switchboard-org': orgId });
  assert.equal(invited.status, 201, JSON.stringify(invited.body));
  const pub = new URL(h.engine.config.publicUrl);
  const link = new URL(invited.body.inviteUrl);
  assert.deepEqual([link.protocol, link.hostname, link.port, link.pathname], [pub.protocol, domain, pub.port, '/invite']);
  assert.equal((await h.call(platformKey, 'POST', '/v1/invitations', { email, role: 'admin' }, { 'switchboard-org': orgId })).status, 409);

  // An org without a platform: PUBLIC_URL. An agent's session may not invite.
  const plain = await h.newOrg();
  const agent = address();
  await h.call(plain.apiKey, 'POST', '/v1/users', { email: agent, role: 'agent', password: PASSWORD });
  const s = await post('/v1/sessions', { email: agent, password: PASSWORD });
  const refused = await h.call(s.body.token, 'POST', '/v1/invitations', { email: address(), role: 'agent' });
  assert.equal(refused.status, 403);
  assert.equal((await h.call(plain.apiKey, 'POST', '/v1/invitations', { email: 'not-an-email', role: 'agent' })).status, 400);
  assert.equal((await h.call(plain.apiKey, 'POST', `/v1/users/${crypto.randomUUID()}/invitation`)).status, 404);
});
