import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';
import { defineConnector } from '../../connectors/kit/index.ts';
import { acmeSpec } from '../../connectors/kit/test-connector.ts';
import nock from 'nock';
import { hasEvent, syncEvents } from '../../test/connections.ts';
import { reply } from '../../test/nock-reply.ts';

let h: Harness;
before(async () => {
  h = await startHarness();
  // Three majors of a third-party-style connector, to pin and upgrade between: 2.0.0 migrates a
  // 1.x config (adds apiVersion), 3.0.0's migration produces a config its own schema refuses.
  const withMigration = (version: string, transform: string) => {
    const spec = acmeSpec(version);
    const major = Number(version.split('.')[0]);
    return defineConnector({ ...spec, manifest: { ...spec.manifest, configMigrations: [{ from: major - 1, to: major, transform }] } });
  };
  h.engine.connectors.register(defineConnector(acmeSpec('1.2.0')));
  h.engine.connectors.register(withMigration('2.0.0', "$merge([$, { 'apiVersion': 2 }])"));
  h.engine.connectors.register(withMigration('3.0.0', "$merge([$, { 'region': 'mars' }])"));
});
after(() => h?.close());

const ACCOUNT = 'AC3f5e0c7a9b2d4e6f8a1b3c5d7e9f1a2b';
const TOKEN = '5d4c3b2a19f8e7d6c5b4a39281706f5e';
const twilio = { connector: 'twilio', name: 'Main line', config: { accountSid: ACCOUNT }, secrets: { authToken: TOKEN }, sandbox: false };

test('the catalog lists twilio with its versions, channels and schemas', async () => {
  const { apiKey } = await h.newOrg();
  const res = await h.call(apiKey, 'GET', '/v1/connectors');
  assert.equal(res.status, 200);
  const tw = res.body.data.find((c: { id: string }) => c.id === 'twilio');
  assert.equal(tw.kind, 'channel');
  assert.equal(tw.object, 'connector');
  assert.deepEqual(tw.versions[0].channels, ['sms', 'mms', 'whatsapp']);
  assert.deepEqual(tw.versions[0].configSchema.required, ['accountSid']);
  assert.ok(tw.versions[0].capabilities.includes('messaging.send'));
  assert.deepEqual([tw.versions[0].baaEligible, tw.versions[0].oauth], [true, false], 'the dashboard shows BAA eligibility and Connect vs pasted secrets');
  assert.equal(res.body.data.find((c: { id: string }) => c.id === 'hubspot')?.versions[0].oauth, true);
  const acme = res.body.data.find((c: { id: string }) => c.id === 'acme-sms');
  assert.deepEqual(acme.versions.map((v: { version: string }) => v.version), ['3.0.0', '2.0.0', '1.2.0']);
});

test('create → 201 with id, inbound URL, secrets write-only and sealed in the row', async () => {
  const { apiKey, orgId } = await h.newOrg();
  const res = await h.call(apiKey, 'POST', '/v1/connections', twilio);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const c = res.body;
  assert.match(c.id, /^[0-9a-f-]{36}$/);
  assert.deepEqual([c.connector, c.version, c.major, c.name, c.sandbox, c.status], ['twilio', '1.2.0', 1, 'Main line', false, 'active']);
  assert.deepEqual(c.config, { accountSid: ACCOUNT });
  assert.deepEqual([c.secretsSet, c.secretFields], [true, ['authToken']]);
  assert.equal(c.inboundUrl, `${h.baseUrl}/v1/receive/${c.id}`);
  assert.ok(!JSON.stringify(c).includes(TOKEN), 'the token is never returned');
  for (const path of [`/v1/connections/${c.id}`, '/v1/connections']) {
    const got = await h.call(apiKey, 'GET', path);
    assert.ok(!JSON.stringify(got.body).includes(TOKEN));
  }
  const row = await h.engine.tenant(orgId, (tx) => tx.trx('connections').where({ id: c.id }).first());
  assert.equal(row.connector_version, '1.2.0');
  const sealed = Buffer.from(row.secrets_enc);
  assert.ok(!sealed.includes(Buffer.from(TOKEN)), 'the secret is not in clear in the row');
  assert.ok(!JSON.stringify(row.config).includes(TOKEN));
  // The feed carries the view, never the secret.
  const events = await syncEvents(h, apiKey, hasEvent('connection.created'));
  const created = events.find((e) => e.type === 'connection.created')!;
  assert.equal(created.data.connection.id, c.id);
  assert.ok(!JSON.stringify(events).includes(TOKEN));
});

test('unknown connector, bad config and missing secrets → 400 with field paths', async () => {
  const { apiKey } = await h.newOrg();
  const unknown = await h.call(apiKey, 'POST', '/v1/connections', { ...twilio, connector: 'carrier-pigeon' });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.error.code, 'validation_failed');
  assert.equal(unknown.body.error.details[0].field, '/connector');
  const major = await h.call(apiKey, 'POST', '/v1/connections', { ...twilio, connector: 'twilio@7' });
  assert.equal(major.status, 400);
  assert.match(major.body.error.details[0].reason, /no version with major 7/);
  const bad = await h.call(apiKey, 'POST', '/v1/connections', { ...twilio, config: { accountSid: 'AC123', fromNumbers: ['4155550100'] }, secrets: {} });
  assert.equal(bad.status, 400);
  assert.deepEqual(
    bad.body.error.details.map((d: { field: string }) => d.field),
    ['/config/accountSid', '/config/fromNumbers/0', '/secrets/authToken'],
  );
  const extra = await h.call(apiKey, 'POST', '/v1/connections', { ...twilio, config: { accountSid: ACCOUNT, colour: 'red' } });
  assert.equal(extra.status, 400);
  assert.equal(extra.body.error.details[0].field, '/config');
});

test('update merges secrets, revalidates, and DELETE disables', async () => {
  const { apiKey, orgId } = await h.newOrg();
  const c = (await h.call(apiKey, 'POST', '/v1/connections', twilio)).body;
  const renamed = await h.call(apiKey, 'PATCH', `/v1/connections/${c.id}`, { name: 'Renamed', config: { accountSid: ACCOUNT, fromNumbers: ['+14155550199'] } });
  assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
  assert.deepEqual([renamed.body.name, renamed.body.config.fromNumbers], ['Renamed', ['+14155550199']]);
  const badSecret = await h.call(apiKey, 'PATCH', `/v1/connections/${c.id}`, { secrets: { authToken: null } });
  assert.equal(badSecret.status, 400);
  assert.equal(badSecret.body.error.details[0].field, '/secrets/authToken');
  const rotated = await h.call(apiKey, 'PATCH', `/v1/connections/${c.id}`, { secrets: { authToken: 'rotated-token' } });
  assert.equal(rotated.status, 200);
  const secrets = await h.engine.tenant(orgId, async (tx) => {
    const row = await tx.trx('connections').where({ id: c.id }).first();
    return tx.crypto.decryptJson(row.id, 'secrets', row.secrets_enc);
  });
  assert.deepEqual(secrets, { authToken: 'rotated-token' });
  const gone = await h.call(apiKey, 'DELETE', `/v1/connections/${c.id}`);
  assert.equal(gone.status, 200);
  assert.equal(gone.body.status, 'disabled');
  const active = await h.call(apiKey, 'GET', '/v1/connections?status=active');
  assert.ok(!active.body.data.some((x: { id: string }) => x.id === c.id));
});

test("org B cannot see, change, test, upgrade or replay org A's connection", async () => {
  const a = await h.newOrg();
  const b = await h.newOrg();
  const c = (await h.call(a.apiKey, 'POST', '/v1/connections', twilio)).body;
  for (const [method, path, body] of [
    ['GET', `/v1/connections/${c.id}`],
    ['PATCH', `/v1/connections/${c.id}`, { name: 'mine' }],
    ['DELETE', `/v1/connections/${c.id}`],
    ['POST', `/v1/connections/${c.id}/test`, {}],
    ['POST', `/v1/connections/${c.id}/upgrade`, { version: '1' }],
    ['POST', `/v1/connections/${c.id}/replay`, {}],
  ] as const) {
    const res = await h.call(b.apiKey, method, path, body);
    assert.equal(res.status, 404, `${method} ${path}`);
  }
  assert.deepEqual((await h.call(b.apiKey, 'GET', '/v1/connections')).body.data, []);
  assert.equal((await h.call(a.apiKey, 'GET', `/v1/connections/${c.id}`)).body.name, 'Main line');
});

test('test: a sandbox connection is ok without calling out', async () => {
  const { apiKey } = await h.newOrg();
  const c = (await h.call(apiKey, 'POST', '/v1/connections', { ...twilio, sandbox: true })).body;
  const res = await h.call(apiKey, 'POST', `/v1/connections/${c.id}/test`);
  assert.equal(res.status, 200);
  assert.deepEqual([res.body.ok, res.body.sandbox], [true, true]);
});

test("test: a live connection runs the connector's credentials check against the provider", async () => {
  const { apiKey } = await h.newOrg();
  const c = (await h.call(apiKey, 'POST', '/v1/connections', twilio)).body;
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
  try {
    const account = (status: number, body: unknown) => {
      nock('https://api.twilio.com')
        .get(`/2010-04-01/Accounts/${ACCOUNT}.json`)
        .basicAuth({ user: ACCOUNT, pass: TOKEN })
        .reply(...reply(status, body));
    };
    account(200, { sid: ACCOUNT, status: 'active', friendly_name: 'Acme', type: 'Full' });
    assert.deepEqual((await h.call(apiKey, 'POST', `/v1/connections/${c.id}/test`)).body, { ok: true, sandbox: false });
    account(401, { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
    assert.deepEqual((await h.call(apiKey, 'POST', `/v1/connections/${c.id}/test`)).body, { ok: false, sandbox: false, message: 'Twilio refused the Account SID / Auth Token' });
    assert.deepEqual(nock.pendingMocks(), []);
  } finally {
    nock.cleanAll();
    nock.enableNetConnect();
  }
});

test('pinning a major, then an explicit, recorded upgrade running the config migrations', async () => {
  const { apiKey } = await h.newOrg();
  const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
  const c = (await h.call(apiKey, 'POST', '/v1/connections', { connector: 'acme-sms@1', name: 'Acme', config: { region: 'us' }, secrets: { webhookSecret: secret } })).body;
  assert.deepEqual([c.version, c.major], ['1.2.0', 1]);
  const latest = (await h.call(apiKey, 'POST', '/v1/connections', { connector: 'acme-sms', name: 'Acme 3', config: {}, secrets: { webhookSecret: secret } })).body;
  assert.equal(latest.version, '3.0.0');
  const back = await h.call(apiKey, 'POST', `/v1/connections/${latest.id}/upgrade`, { version: '1' });
  assert.equal(back.status, 422);
  const none = await h.call(apiKey, 'POST', `/v1/connections/${c.id}/upgrade`, { version: '9' });
  assert.equal(none.status, 400);
  const up = await h.call(apiKey, 'POST', `/v1/connections/${c.id}/upgrade`, { version: '2' });
  assert.equal(up.status, 200, JSON.stringify(up.body));
  assert.deepEqual([up.body.version, up.body.major], ['2.0.0', 2]);
  assert.deepEqual(up.body.config, { region: 'us', apiVersion: 2 });
  const refused = await h.call(apiKey, 'POST', `/v1/connections/${c.id}/upgrade`, { version: '3.0.0' });
  assert.equal(refused.status, 422);
  assert.match(refused.body.error.message, /config is invalid/);
  assert.equal((await h.call(apiKey, 'GET', `/v1/connections/${c.id}`)).body.version, '2.0.0', 'a refused upgrade changes nothing');
  const history = await h.call(apiKey, 'GET', `/v1/connections/${c.id}/upgrades`);
  assert.equal(history.body.data.length, 1);
  assert.deepEqual([history.body.data[0].fromVersion, history.body.data[0].toVersion], ['1.2.0', '2.0.0']);
  assert.match(history.body.data[0].actor, /^api_key:/);
});
