import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import nock from 'nock';
import { startHarness, type Harness } from '../../test/harness.ts';
import { CUSTOMER, twilioConnection } from '../../test/connections.ts';
import { waitFor } from '../../test/wait.ts';
import { loadConfig } from '../config.ts';
import { startRelay, type Relay } from '../events/relay.ts';
import { startSendWorker, type SendWorker } from './worker.ts';
import { dispatchRoutes } from '../../app/dispatch-routes.ts';

/**
 * A worker in a container: PUBLIC_URL is the address providers use, which does not route back
 * from inside the worker. Its sandbox callbacks are signed over PUBLIC_URL and sent to
 * INTERNAL_API_URL, and the API (which checks signatures against PUBLIC_URL) accepts them.
 */
let h: Harness;
let relay: Relay;
let worker: SendWorker;
beforeAll(async () => {
  h = await startHarness({ env: { PUBLIC_URL: 'https://switchboard.example.test' } });
  h.engine.config.internalUrl = h.baseUrl;
  relay = await startRelay(h.engine, { routes: dispatchRoutes });
  worker = startSendWorker(h.engine);
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost)(:\d+)?$/);
});
afterAll(async () => {
  nock.enableNetConnect();
  await relay?.stop();
  await worker?.stop();
  await h?.close();
});

test('INTERNAL_API_URL: sandbox status callbacks reach the API while signed over PUBLIC_URL', async () => {
  const { apiKey } = await h.newOrg();
  const c = await twilioConnection(h, apiKey, { sandbox: true });
  assert.match(c.inboundUrl, /^https:\/\/switchboard\.example\.test\/v1\/receive\//);
  const res = await h.call(apiKey, 'POST', '/v1/messages', { channel: 'sms', to: { handle: { kind: 'phone', value: CUSTOMER } }, body: 'Tech en route' });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const m = await waitFor('the sandbox delivered callback', async () => {
    const got = (await h.call(apiKey, 'GET', `/v1/messages/${res.body.id}`)).body;
    return got.status === 'delivered' ? got : null;
  }, 8_000, 50);
  assert.equal(m.status, 'delivered');
});

test('INTERNAL_API_URL is validated with the rest of the configuration', () => {
  assert.equal(loadConfig({ INTERNAL_API_URL: 'http://switchboard-api:3000/' }).internalUrl, 'http://switchboard-api:3000');
  assert.equal(loadConfig({}).internalUrl, undefined);
  assert.throws(() => loadConfig({ INTERNAL_API_URL: 'ftp://api' }), /INTERNAL_API_URL must use http: or https:/);
});
