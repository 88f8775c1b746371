import { test, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createPacer } from './ratelimit.ts';
import { dropRedisPrefix } from '../test/redis.ts';

/** The pacer in the mode the suite runs in: Redis with REDIS_URL, else in-process. */
const prefix = `sbt-pace-${crypto.randomBytes(4).toString('hex')}`;
const pacer = createPacer(process.env.REDIS_URL, prefix);
afterAll(async () => {
  await pacer.close();
  await dropRedisPrefix(prefix);
});

test('reserves evenly spaced slots per key at the given rate', async () => {
  const waits = [];
  for (let i = 0; i < 5; i++) waits.push(await pacer.reserve('sender-a', 10));
  // 10 per second = one slot every 100 ms: 0, ~100, ~200, ~300, ~400 (minus the time the calls took).
  assert.equal(waits[0], 0);
  for (let i = 1; i < 5; i++) {
    assert.ok(waits[i]! > i * 100 - 60 && waits[i]! <= i * 100, `slot ${i} waits ${waits[i]} ms`);
  }
  // Another key has its own schedule.
  assert.equal(await pacer.reserve('sender-b', 10), 0);
});

test('concurrent reservations never share a slot', async () => {
  const waits = await Promise.all(Array.from({ length: 20 }, () => pacer.reserve('sender-c', 50)));
  const sorted = [...waits].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i]! - sorted[i - 1]! >= 15, `slots ${sorted[i - 1]} and ${sorted[i]} are 20 ms apart`);
  assert.ok(sorted.at(-1)! >= 19 * 20 - 60);
});

test('a slot in the past is not owed: an idle key starts again at once', async () => {
  await pacer.reserve('sender-d', 20);
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(await pacer.reserve('sender-d', 20), 0);
});
