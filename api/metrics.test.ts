import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../test/harness.ts';

/** GET /metrics: Prometheus text with route templates and bounded labels, never an org id or a path id. */
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  h.engine.config.metricsToken = undefined;
  await h?.close();
});

const scrape = async (headers: Record<string, string> = {}) => {
  const res = await fetch(`${h.baseUrl}/metrics`, { headers });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
};
const sample = (text: string, name: string, labels: string) =>
  Number(new RegExp(`^${name}\\{${labels.replace(/[{}]/g, '\\$&')}\\} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

test('metrics: ingest counted by channel, latency by route template, no org id or raw id in any label', async () => {
  const { orgId, apiKey } = await h.newOrg();
  const before = sample((await scrape()).text, 'switchboard_messages_ingested_total', 'channel="chat"') || 0;
  const m = await h.call(apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { handle: { kind: 'app_user', value: 'tenant-4b' } }, body: 'Is the plumber coming?' });
  assert.equal(m.status, 201, JSON.stringify(m.body));
  assert.equal((await h.call(apiKey, 'GET', `/v1/conversations/${m.body.conversationId}`)).status, 200);
  const { status, type, text } = await scrape();
  assert.equal(status, 200);
  assert.match(type!, /^text\/plain/);
  assert.equal(sample(text, 'switchboard_messages_ingested_total', 'channel="chat"'), before + 1);
  assert.match(text, /switchboard_http_request_duration_seconds_count\{method="GET",route="\/v1\/conversations\/:id",status_class="2xx"\} [1-9]/);
  assert.ok(!text.includes(orgId), 'an org id in the metrics');
  assert.ok(!text.includes(m.body.conversationId), 'a conversation id in the metrics');
  assert.match(text, /^# TYPE switchboard_queue_depth gauge$/m);
  assert.match(text, /^# TYPE switchboard_relay_lag_seconds histogram$/m);
});

test('metrics: METRICS_TOKEN makes the endpoint ask for it', async () => {
  h.engine.config.metricsToken = 'scrape-secret-123';
  assert.equal((await scrape()).status, 401);
  assert.equal((await scrape({ authorization: 'Bearer wrong-secret-123' })).status, 401);
  assert.equal((await scrape({ authorization: 'Bearer scrape-secret-123' })).status, 200);
});
