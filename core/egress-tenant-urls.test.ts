import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startHarness, type Harness } from '../test/harness.ts';
import { appendEvent } from './events/events.ts';
import { runRulesForEvent } from '../rules/runner.ts';

/**
 * Every URL a tenant chooses is an SSRF vector. With private egress off (the production default)
 * a rule's call_webhook and a connector's base URL must never reach loopback, link-local (the
 * cloud metadata service) or plain http: the local server below counts what reaches it.
 */
let h: Harness;
let server: http.Server;
let port = 0;
const reached: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    reached.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"success":true,"data":{"id":1}}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  h = await startHarness({ env: { WEBHOOKS_ALLOW_PRIVATE: 'false' } });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await h?.close();
});

async function ruleExecution(url: string) {
  const { apiKey, orgId } = await h.newOrg();
  const created = await h.call(apiKey, 'POST', '/v1/rules', { name: 'Out', trigger: 'job.dispatched', actions: [{ type: 'call_webhook', url, timeoutMs: 2000 }] });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const eventId = await h.engine.tenant(orgId, async (tx) => {
    await appendEvent(tx, { type: 'job.dispatched', data: {} });
    return (await tx.trx('events').orderBy('seq', 'desc').first('id')).id as string;
  });
  await runRulesForEvent(h.engine, orgId, eventId);
  const ex = (await h.call(apiKey, 'GET', `/v1/rules/${created.body.id}/executions`)).body.data as any[];
  return ex[0];
}

test('call_webhook to loopback, link-local or plain http fails for good and never connects', async () => {
  for (const url of [`http://127.0.0.1:${port}/hook`, 'http://169.254.169.254/latest/meta-data/', `https://127.0.0.1:${port}/hook`, `https://localhost:${port}/hook`, 'https://[::1]/hook']) {
    const ex = await ruleExecution(url);
    assert.equal(ex.status, 'failed', `${url}: ${JSON.stringify(ex)}`);
    assert.match(ex.error, /not allowed/, url);
    assert.equal(ex.actions[0].status, 'failed');
    assert.equal(ex.actions[0].statusCode ?? ex.actions[0].status_code, undefined, 'no answer status is reported');
  }
  assert.deepEqual(reached, []);
});

test('Pipedrive apiDomain and HubSpot apiBaseUrl accept only the provider hosts (400 naming the field)', async () => {
  const { apiKey } = await h.newOrg();
  const install = (connector: string, config: Record<string, unknown>, secrets: Record<string, unknown>) =>
    h.call(apiKey, 'POST', '/v1/connections', { connector, name: connector, config, secrets });
  for (const apiDomain of [`http://127.0.0.1:${port}`, 'https://169.254.169.254', 'http://acme.pipedrive.com', 'https://pipedrive.com.evil.example', 'https://evil.example/.pipedrive.com']) {
    const res = await install('pipedrive', { apiDomain }, { apiToken: 'tok' });
    assert.equal(res.status, 400, `${apiDomain}: ${JSON.stringify(res.body)}`);
    assert.ok(res.body.error.details.some((d: any) => d.field === '/config/apiDomain'), JSON.stringify(res.body));
  }
  for (const apiBaseUrl of [`http://127.0.0.1:${port}`, 'https://api.hubapi.com.evil.example']) {
    const res = await install('hubspot', { apiBaseUrl }, { accessToken: 'tok' });
    assert.equal(res.status, 400, `${apiBaseUrl}: ${JSON.stringify(res.body)}`);
    assert.ok(res.body.error.details.some((d: any) => d.field === '/config/apiBaseUrl'), JSON.stringify(res.body));
  }
  assert.equal((await install('pipedrive', { apiDomain: 'https://maple-properties.pipedrive.com' }, { apiToken: 'tok' })).status, 201);
  assert.equal((await install('hubspot', { apiBaseUrl: 'https://api-eu1.hubapi.com' }, { accessToken: 'tok' })).status, 201);
});

test('a connection stored with a private base URL (before the check existed) cannot call out: the test call fails, nothing is reached', async () => {
  const { apiKey, orgId } = await h.newOrg();
  for (const [connector, config, secrets] of [
    ['pipedrive', { apiDomain: `http://127.0.0.1:${port}` }, { apiToken: 'tok' }],
    ['hubspot', { apiBaseUrl: `http://127.0.0.1:${port}` }, { accessToken: 'tok' }],
  ] as const) {
    const res = await h.call(apiKey, 'POST', '/v1/connections', { connector, name: connector, config: {}, secrets });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    await h.engine.tenant(orgId, (tx) => tx.trx('connections').where({ id: res.body.id }).update({ config: JSON.stringify(config) }));
    const tested = await h.call(apiKey, 'POST', `/v1/connections/${res.body.id}/test`);
    assert.notEqual(tested.body.ok, true, JSON.stringify(tested.body));
    assert.doesNotMatch(JSON.stringify(tested.body), /accepted/i);
  }
  assert.deepEqual(reached, []);
});
