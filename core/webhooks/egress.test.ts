import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isPrivateAddress, postJson } from '../egress.ts';
import { judge } from './deliver.ts';
import { validateUrl } from './subscriptions.ts';
import { matchesFilter, matchesType } from './matching.ts';

let server: http.Server;
let base = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/slow') return; // never answers
    if (req.url === '/busy') {
      res.writeHead(429, { 'retry-after': '7' });
      return res.end();
    }
    res.writeHead(200);
    res.end('y'.repeat(5000));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

test('private, loopback, link-local and unique-local addresses are recognised', () => {
  for (const a of ['10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '127.0.0.1', '169.254.169.254', '::1', 'fc00::1', 'fd12::3', '::ffff:10.0.0.1', '0.0.0.0']) {
    assert.equal(isPrivateAddress(a), true, a);
  }
  for (const a of ['8.8.8.8', '172.32.0.1', '1.1.1.1', '2606:4700:4700::1111']) assert.equal(isPrivateAddress(a), false, a);
});

test('without private egress, IP literals and names resolving to private addresses are refused before connecting', async () => {
  const literal = await postJson(`${base}/`, '{}', {}, { timeoutMs: 2000, allowPrivate: false });
  assert.equal(literal.errorClass, 'egress_refused');
  assert.equal(literal.status, null);
  const port = (server.address() as AddressInfo).port;
  const named = await postJson(`http://localhost:${port}/`, '{}', {}, { timeoutMs: 2000, allowPrivate: false });
  assert.equal(named.errorClass, 'egress_refused');
  assert.deepEqual(judge(named), { outcome: 'failed' });
});

test('answers are truncated to 2 KB; timeouts and 429 Retry-After are retried', async () => {
  const ok = await postJson(`${base}/`, '{}', {}, { timeoutMs: 2000, allowPrivate: true });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.length, 2048);
  const slow = await postJson(`${base}/slow`, '{}', {}, { timeoutMs: 150, allowPrivate: true });
  assert.equal(slow.errorClass, 'timeout');
  assert.ok(slow.durationMs >= 140 && slow.durationMs < 2000);
  assert.equal(judge(slow).outcome, 'retry');
  const busy = await postJson(`${base}/busy`, '{}', {}, { timeoutMs: 2000, allowPrivate: true });
  assert.deepEqual(judge(busy), { outcome: 'retry', retryAfterMs: 7000 });
  const refused = await postJson('http://127.0.0.1:1/', '{}', {}, { timeoutMs: 2000, allowPrivate: true });
  assert.equal(refused.errorClass, 'network');
});

test('URL rules: https, plain http only to localhost when private egress is allowed', () => {
  assert.equal(validateUrl('https://hooks.example.com/x', false), 'https://hooks.example.com/x');
  assert.equal(validateUrl('http://localhost:4000/x', true), 'http://localhost:4000/x');
  assert.equal(validateUrl('http://127.0.0.1:4000/x', true), 'http://127.0.0.1:4000/x');
  for (const [u, allow] of [
    ['http://localhost:4000/x', false],
    ['http://hooks.example.com/x', true],
    ['https://10.0.0.5/x', false],
    ['https://[::1]/x', false],
    ['https://user:pw@hooks.example.com/', true],
  ] as const) {
    assert.throws(() => validateUrl(u, allow), /url/i, u);
  }
});

test('type patterns and filters', () => {
  assert.ok(matchesType(['*'], 'contact.created'));
  assert.ok(matchesType(['message.*'], 'message.status_changed'));
  assert.ok(!matchesType(['message.*'], 'messages.x'));
  assert.ok(!matchesType(['message.created'], 'message.status_changed'));
  const conv = { id: 'c1', channel: 'sms', metadata: { unit: '4B', floor: 2 } };
  assert.ok(matchesFilter({}, null));
  assert.ok(matchesFilter({ channel: 'sms', metadata: { unit: '4B', floor: 2 } }, conv));
  assert.ok(!matchesFilter({ metadata: { unit: '5A' } }, conv));
  assert.ok(!matchesFilter({ conversationId: 'c2' }, conv));
  assert.ok(!matchesFilter({ channel: 'sms' }, null), 'a conversation filter never matches events outside conversations');
});
