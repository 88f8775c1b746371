import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';
import { CUSTOMER, OUR_NUMBER, postTwilio, twilioConnection } from '../../test/connections.ts';
import { defineConnector } from '../../connectors/kit/index.ts';
import { acmeSpec } from '../../connectors/kit/test-connector.ts';

/**
 * What the dashboard's connection page reads: the raw inbound archive (failed filter, cursor
 * pagination, bodies only for the admin scope), health (last in/out, error counts), replay of a
 * chosen batch (audited), and upgrade options with the connector's CHANGELOG entry.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  h.engine.connectors.register(defineConnector(acmeSpec('1.2.0')), { changelog: '# Changelog\n\n## 1.2.0\n\n- Batches.\n' });
  const v2 = acmeSpec('2.0.0');
  h.engine.connectors.register(defineConnector({ ...v2, manifest: { ...v2.manifest, configMigrations: [{ from: 1, to: 2, transform: "$merge([$, { 'apiVersion': 2 }])" }] } }), {
    changelog: '# Changelog\n\n## [2.0.0] - 2026-12-01\n\n- **Breaking**: apiVersion 2 (set by the upgrade).\n\n## 1.2.0\n\n- Batches.\n',
  });
});
afterAll(() => h?.close());

const sms = (sid: string, from: string, body = 'Hello') => ({ MessageSid: sid, AccountSid: 'AC3f5e0c7a9b2d4e6f8a1b3c5d7e9f1a2b', From: from, To: OUR_NUMBER, Body: body, NumMedia: '0' });

test('archive: newest first, failed filter, cursor pages; bodies only with include=request and the admin scope; health counts; a replayed batch is audited', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const c = await twilioConnection(h, apiKey);
  const empty = await h.call(apiKey, 'GET', `/v1/connections/${c.id}/activity`);
  assert.equal(empty.status, 200, JSON.stringify(empty.body));
  assert.deepEqual(empty.body, { connectionId: c.id, lastInboundAt: null, lastOutboundAt: null, errors: { inboundFailed24h: 0, inboundUnmatched24h: 0, outboundFailed24h: 0, inboundFailedTotal: 0 }, poller: null, oauth: null });

  // Two good messages and two the twilio release cannot map (Messenger senders are not phone numbers).
  assert.equal((await postTwilio(c.inboundUrl, sms('SM' + '1'.repeat(32), CUSTOMER))).status, 200);
  assert.equal((await postTwilio(c.inboundUrl, sms('SM' + '2'.repeat(32), 'messenger:2647851908581937'))).status, 400);
  assert.equal((await postTwilio(c.inboundUrl, sms('SM' + '3'.repeat(32), CUSTOMER))).status, 200);
  assert.equal((await postTwilio(c.inboundUrl, sms('SM' + '4'.repeat(32), 'messenger:2647851908581938', 'Secret gate code 4417'))).status, 400);

  const all = await h.call(apiKey, 'GET', `/v1/connections/${c.id}/archive?limit=3`);
  assert.equal(all.status, 200, JSON.stringify(all.body));
  assert.deepEqual(all.body.data.map((r: any) => r.status), ['failed', 'processed', 'failed']);
  assert.equal(all.body.hasMore, true);
  assert.ok(all.body.data.every((r: any) => r.request === undefined), 'no request without include=request');
  assert.ok(!JSON.stringify(all.body).includes('4417'));
  const next = await h.call(apiKey, 'GET', `/v1/connections/${c.id}/archive?limit=3&cursor=${all.body.nextCursor}`);
  assert.deepEqual(next.body.data.map((r: any) => r.status), ['processed']);
  assert.equal(next.body.hasMore, false);
  const failed = await h.call(apiKey, 'GET', `/v1/connections/${c.id}/archive?failed=true`);
  assert.equal(failed.body.data.length, 2);
  assert.ok(failed.body.data.every((r: any) => r.status === 'failed' && r.error));

  // The request itself: only for the admin scope.
  const reader = await h.call(apiKey, 'POST', '/v1/api-keys', { name: 'reader', scopes: ['connections:read'] });
  assert.equal(reader.status, 201, JSON.stringify(reader.body));
  assert.equal((await h.call(reader.body.secret, 'GET', `/v1/connections/${c.id}/archive`)).status, 200);
  const refused = await h.call(reader.body.secret, 'GET', `/v1/connections/${c.id}/archive?include=request`);
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error.code, 'forbidden');
  const withBodies = await h.call(apiKey, 'GET', `/v1/connections/${c.id}/archive?failed=true&include=request`);
  assert.equal(withBodies.body.data[0].request.method, 'POST');
  assert.match(withBodies.body.data[0].request.body, /Secret\+gate\+code\+4417/);
  assert.equal((await h.call(apiKey, 'GET', `/v1/connections/${c.id}/archive?status=bogus`)).status, 400);
  assert.equal((await h.call(apiKey, 'GET', `/v1/connections/${c.id}/archive?cursor=nope`)).status, 400);

  const health = (await h.call(apiKey, 'GET', `/v1/connections/${c.id}/activity`)).body;
  assert.ok(health.lastInboundAt);
  assert.equal(health.lastOutboundAt, null);
  assert.deepEqual(health.errors, { inboundFailed24h: 2, inboundUnmatched24h: 0, outboundFailed24h: 0, inboundFailedTotal: 2 });

  // A batch replayed by id (still unmappable: they stay failed); the replay is audited with ids and outcomes.
  const ids = failed.body.data.map((r: any) => r.id);
  const replay = await h.call(apiKey, 'POST', `/v1/connections/${c.id}/replay`, { rawInboundIds: ids });
  assert.equal(replay.status, 200, JSON.stringify(replay.body));
  assert.deepEqual(replay.body.data.map((r: any) => r.id), ids);
  const audit = await h.engine.tenant(orgId, (tx) => tx.trx('audit_log').where({ action: 'connection.replayed' }));
  assert.equal(audit.length, 1);
  assert.equal(audit[0].target_id, c.id);
  assert.deepEqual(audit[0].details.rawInboundIds, ids);
  assert.deepEqual(audit[0].details.outcomes, { failed: 2 });
  // Another org's connection: 404 on every new read.
  const other = await h.newOrg();
  for (const p of ['archive', 'health', 'upgrade-options']) assert.equal((await h.call(other.apiKey, 'GET', `/v1/connections/${c.id}/${p}`)).status, 404, p);
});

test("upgrade options: the running version and each newer major, with the connector's CHANGELOG entry", async () => {
  const { apiKey } = await h.newOrg();
  const created = await h.call(apiKey, 'POST', '/v1/connections', { connector: 'acme-sms@1', name: 'Acme', config: { region: 'us' }, secrets: { webhookSecret: 'x' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const opts = await h.call(apiKey, 'GET', `/v1/connections/${created.body.id}/upgrade-options`);
  assert.equal(opts.status, 200, JSON.stringify(opts.body));
  assert.deepEqual(opts.body, {
    current: { version: '1.2.0', major: 1, changelog: '- Batches.' },
    options: [{ version: '2.0.0', major: 2, changelog: '- **Breaking**: apiVersion 2 (set by the upgrade).' }],
  });
  assert.equal((await h.call(apiKey, 'POST', `/v1/connections/${created.body.id}/upgrade`, { version: '2' })).status, 200);
  const after = await h.call(apiKey, 'GET', `/v1/connections/${created.body.id}/upgrade-options`);
  assert.deepEqual(after.body.options, []);
  assert.equal(after.body.current.version, '2.0.0');
});
