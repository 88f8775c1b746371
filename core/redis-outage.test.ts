import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { startHarness, type Harness } from '../test/harness.ts';
import { waitFor } from '../test/wait.ts';
import { dropRedisPrefix } from '../test/redis.ts';
import { cliEnv, startFails } from '../cli/testing.ts';

/**
 * Redis going away mid-run, simulated by a TCP proxy in front of the real Redis that the test
 * closes (sockets cut, port refusing): health answers 503 naming Redis, the API keeps serving
 * (rate limits fall back to in-process counters) and ingest keeps working; when the proxy comes
 * back so does health. And a start with Redis unreachable says which URL and what to check.
 */
const REDIS = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
let h: Harness;
let proxy: net.Server | undefined;
let port = 0;
const sockets = new Set<net.Socket>();
const prefix = `sbt-outage-${crypto.randomBytes(4).toString('hex')}`;

async function openProxy() {
  proxy = net.createServer((client) => {
    const upstream = net.connect(Number(REDIS.port || 6379), REDIS.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => proxy!.listen(port, '127.0.0.1', r));
  port = (proxy.address() as AddressInfo).port;
}

async function cutProxy() {
  await new Promise((r) => {
    proxy!.close(r);
    for (const s of sockets) s.destroy();
  });
}

beforeAll(async () => {
  await openProxy();
  h = await startHarness({ env: { REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_PREFIX: prefix } });
});
afterAll(async () => {
  await h?.close();
  if (proxy?.listening) await cutProxy();
  await dropRedisPrefix(prefix);
});

test('Redis gone mid-run: health 503 naming Redis, the API keeps serving and ingesting; back when Redis is', async () => {
  const { apiKey } = await h.newOrg();
  assert.equal((await h.call(null, 'GET', '/v1/health')).status, 200);
  const contact = await h.call(apiKey, 'POST', '/v1/contacts', { name: 'Dana' });
  assert.equal(contact.status, 201);

  await cutProxy();
  const health = await waitFor('health to report Redis down', async () => {
    const r = await h.call(null, 'GET', '/v1/health');
    return r.status === 503 ? r : null;
  }, 15_000, 100);
  assert.equal(health!.body.status, 'degraded');
  assert.equal(health!.body.database.ok, true);
  assert.equal(health!.body.queue.ok, false);
  assert.match(health!.body.queue.detail, new RegExp(`Redis at redis://127\\.0\\.0\\.1:${port}`));
  // Reads, writes and ingest still answer (rate limits are per process meanwhile).
  for (let i = 0; i < 3; i++) assert.equal((await h.call(apiKey, 'GET', '/v1/contacts')).status, 200);
  const msg = await h.call(apiKey, 'POST', '/v1/messages', { direction: 'inbound', channel: 'chat', from: { contactId: contact.body.id }, body: 'Still there?' });
  assert.equal(msg.status, 201, JSON.stringify(msg.body));

  await openProxy();
  await waitFor('health to recover', async () => (await h.call(null, 'GET', '/v1/health')).status === 200, 30_000, 200);
});

test('start with Redis unreachable: one line naming the URL and what to check, no stack', async () => {
  const ctx = await cliEnv();
  try {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const { code, stderr } = await startFails({ ...ctx.env, REDIS_URL: `redis://:hunter2@127.0.0.1:${deadPort}` });
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`Redis at redis://:\\*\\*\\*@127\\.0\\.0\\.1:${deadPort}/? could not be reached`));
    assert.match(stderr, /Check REDIS_URL/);
    assert.doesNotMatch(stderr, /hunter2/);
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  } finally {
    await ctx.dispose();
  }
});
