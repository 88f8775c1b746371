import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';
import { sealOrgNow } from '../../core/audit/seal.ts';

/** What a dashboard session does is the user's, in the audit log and in each record's own "by" field; an API key's is the key's. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const PASSWORD = 'correct horse battery staple';

test('an opt-out, a legal hold and an unmerge made from a dashboard session are recorded as user:<id>; the same by an API key as api_key:<id>', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const email = `owner.${Date.now()}@acme.test`;
  const user = (await h.call(apiKey, 'POST', '/v1/users', { email, role: 'admin', password: PASSWORD })).body;
  const session = (await h.call(null, 'POST', '/v1/sessions', { email, password: PASSWORD })).body.token;
  assert.match(session, /^sbs_/);

  const optOut = await h.call(session, 'POST', '/v1/consents', { handle: { kind: 'phone', value: '+14155550199' }, channel: 'sms', status: 'opted_out' });
  assert.equal(optOut.status, 201, JSON.stringify(optOut.body));
  assert.ok(optOut.body.data.every((c: any) => c.recordedBy === `user:${user.id}`), JSON.stringify(optOut.body.data.map((c: any) => c.recordedBy)));
  const byKey = await h.call(apiKey, 'POST', '/v1/consents', { handle: { kind: 'phone', value: '+14155550198' }, channel: 'sms', status: 'opted_out' });
  assert.match(byKey.body.data[0].recordedBy, /^api_key:/);

  const a = (await h.call(session, 'POST', '/v1/contacts', { name: 'A', handles: [{ kind: 'email', value: 'a@example.test' }] })).body;
  const b = (await h.call(session, 'POST', '/v1/contacts', { name: 'B', handles: [{ kind: 'email', value: 'b@example.test' }] })).body;
  const merged = await h.call(session, 'POST', `/v1/contacts/${a.id}/merge`, { contactId: b.id });
  assert.equal(merged.status, 200, JSON.stringify(merged.body));
  const undone = await h.call(session, 'POST', `/v1/contacts/merges/${merged.body.merge.id}/undo`);
  assert.equal(undone.status, 200, JSON.stringify(undone.body));
  assert.equal(undone.body.merge.undoneBy, `user:${user.id}`);

  const hold = await h.call(session, 'POST', '/v1/legal-holds', { targetType: 'contact', targetId: a.id, reason: 'litigation' });
  assert.equal(hold.status, 201, JSON.stringify(hold.body));
  assert.equal(hold.body.createdBy, `user:${user.id}`);

  await sealOrgNow(h.engine.db, orgId);
  const audit = (await h.call(apiKey, 'GET', '/v1/audit?limit=100')).body.data;
  const actors = (action: string) => audit.filter((e: any) => e.action === action).map((e: any) => e.actor.type).sort();
  assert.deepEqual(actors('consent.recorded'), ['api_key', 'user'], 'one opt-out by the key, one by the session');
  for (const action of ['contact.merged', 'contact.unmerged', 'legal_hold.created']) {
    assert.deepEqual(audit.find((e: any) => e.action === action)?.actor, { type: 'user', id: user.id }, action);
  }
});
