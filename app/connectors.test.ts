import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { AppError } from '../core/errors.ts';
import { assertFixture, assertRejected, loadFixtures, runFixture } from '../connectors/kit/harness.ts';
import { createRegistry, generateWebhookSecret, signStandardWebhook } from '../connectors/kit/index.ts';
import { builtinConnectors, createConnectorRegistry } from './connectors.ts';
import { startHarness, type Harness } from '../test/harness.ts';
import { CUSTOMER, hasEvent, OUR_NUMBER, syncEvents } from '../test/connections.ts';
import { waitFor } from '../test/wait.ts';
import { startRelay, type Relay } from '../core/events/relay.ts';
import { startSendWorker, type SendWorker } from '../core/send/worker.ts';
import { dispatchRoutes } from './dispatch-routes.ts';

/** Built-ins, third-party packages from SWITCHBOARD_CONNECTORS, and the example package end to end. */
const ECHO = fileURLToPath(new URL('../examples/connector-echo/index.ts', import.meta.url));
const ECHO_FIXTURES = fileURLToPath(new URL('../examples/connector-echo/fixtures/', import.meta.url));
const BROKEN = fileURLToPath(new URL('../examples/connector-broken/index.ts', import.meta.url));

test('the built-in list is registered, one line per connector', async () => {
  const registry = await createConnectorRegistry({ connectorPackages: [] });
  const ids = registry.catalog().map((c) => c.id);
  for (const def of builtinConnectors()) assert.ok(ids.includes(def.id), def.id);
  assert.ok(ids.includes('twilio'));
});

test('a third-party package named by absolute path in SWITCHBOARD_CONNECTORS is loaded beside the built-ins', async () => {
  const registry = await createConnectorRegistry({ connectorPackages: [ECHO] });
  const echo = registry.resolve('echo-sms', 1)!;
  assert.equal(echo.version, '1.0.0');
  assert.deepEqual(echo.channels, ['sms']);
  assert.ok(registry.resolve('twilio', 1));
  // The kit's own load(path) takes it too.
  const plain = createRegistry();
  assert.equal((await plain.load(ECHO)).id, 'echo-sms');
});

test('a broken package refuses the start, naming the package and every problem; nothing of it is loaded', async () => {
  await assert.rejects(createConnectorRegistry({ connectorPackages: [ECHO, BROKEN] }), (err: unknown) => {
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'config_invalid');
    assert.match(err.message, new RegExp(`^SWITCHBOARD_CONNECTORS: the connector package "${BROKEN.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" was refused`));
    for (const problem of [/version: "1\.0" is not a semantic version/, /unknown capability "messaging\.teleport"/, /messaging\.send needs a send\(\) function/, /inbound\/0\/match: JSONata does not compile/, /statusMap\/ok/]) {
      assert.match(err.message, problem);
    }
    return true;
  });
  await assert.rejects(createConnectorRegistry({ connectorPackages: ['switchboard-connector-not-installed'] }), /"switchboard-connector-not-installed" was refused:\n {2}- cannot be imported: not installed/);
  // Loaded alone into a kit registry, the broken one leaves nothing behind.
  const plain = createRegistry();
  await assert.rejects(plain.load(BROKEN));
  assert.deepEqual(plain.catalog(), []);
});

test("the example's documented fixtures pass the kit's harness (sign → verify → map), a tampered one is refused", async () => {
  const def = (await createConnectorRegistry({ connectorPackages: [ECHO] })).resolve('echo-sms', 1)!;
  const opts = { config: { baseUrl: 'https://api.echo-sms.test' }, secrets: { apiKey: 'k', webhookSecret: generateWebhookSecret() } };
  const fixtures = loadFixtures(ECHO_FIXTURES);
  assert.equal(fixtures.length, 2);
  for (const fixture of fixtures) await assertFixture(def, fixture, opts);
  const tampered = await runFixture(def, fixtures[0]!, { ...opts, mutate: (req) => ({ ...req, body: Buffer.from(req.body.toString().replace('gate', 'door')) }) });
  assertRejected(tampered, 'bad_signature');
});

describe_e2e();

/** The example package through the whole engine: inbound webhook, send to its (local) API, status webhook. */
function describe_e2e() {
  let h: Harness;
  let relay: Relay;
  let worker: SendWorker;
  let api: http.Server;
  let apiUrl: string;
  const received: { auth?: string; body: Record<string, unknown> }[] = [];
  beforeAll(async () => {
    h = await startHarness({ env: { SWITCHBOARD_CONNECTORS: ECHO } });
    relay = await startRelay(h.engine, { routes: dispatchRoutes });
    worker = startSendWorker(h.engine);
    // Echo SMS's API, as its README documents it.
    api = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        received.push({ auth: req.headers.authorization, body: JSON.parse(data || '{}') });
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `em_${received.length}`, status: 'accepted' }));
      });
    });
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await relay?.stop();
    await worker?.stop();
    await h?.close();
    await new Promise((r) => api?.close(r));
  });

  test('SWITCHBOARD_CONNECTORS → echo-sms in the catalog → connection → signed inbound → send → status', async () => {
    const { apiKey } = await h.newOrg();
    const catalog = await h.call(apiKey, 'GET', '/v1/connectors');
    assert.ok(catalog.body.data.some((c: { id: string }) => c.id === 'echo-sms'));
    const secret = generateWebhookSecret();
    const conn = await h.call(apiKey, 'POST', '/v1/connections', { connector: 'echo-sms@1', name: 'Echo', config: { baseUrl: apiUrl, defaultFrom: OUR_NUMBER }, secrets: { apiKey: 'echo-key', webhookSecret: secret } });
    assert.equal(conn.status, 201, JSON.stringify(conn.body));
    const post = (payload: unknown, id: string) => {
      const body = JSON.stringify(payload);
      const ts = Math.floor(Date.now() / 1000);
      return fetch(conn.body.inboundUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhook(secret, id, ts, Buffer.from(body)) },
        body,
      });
    };
    assert.equal((await post({ type: 'message.received', data: { id: 'em_in_1', from: CUSTOMER, to: OUR_NUMBER, text: 'Hello Echo' } }, 'msg_a')).status, 200);
    const inbound = (await syncEvents(h, apiKey, hasEvent('message.created'))).find((e) => e.type === 'message.created')!.data.message;
    assert.deepEqual([inbound.body, inbound.connectionId, inbound.channel], ['Hello Echo', conn.body.id, 'sms']);

    const sent = await h.call(apiKey, 'POST', '/v1/messages', { conversationId: inbound.conversationId, body: 'Hi back' });
    assert.equal(sent.status, 201);
    const m = await waitFor('the send', async () => {
      const got = (await h.call(apiKey, 'GET', `/v1/messages/${sent.body.id}`)).body;
      return got.status === 'sent' ? got : null;
    });
    assert.equal(received.length, 1);
    assert.deepEqual(received[0], { auth: 'Bearer echo-key', body: { to: CUSTOMER, from: OUR_NUMBER, text: 'Hi back', callback_url: conn.body.inboundUrl } });
    assert.equal(m.providerMessageId, 'em_1');
    assert.equal((await post({ type: 'message.status', data: { id: 'em_1', status: 'delivered' } }, 'msg_b')).status, 200);
    assert.equal((await h.call(apiKey, 'GET', `/v1/messages/${m.id}`)).body.status, 'delivered');
    assert.equal((await post({ type: 'ping' }, 'msg_c')).status, 200, 'an ignored payload is acknowledged');
  });
}
