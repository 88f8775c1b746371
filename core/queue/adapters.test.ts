import { test, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createQueue, PermanentFailure, RetryLater, type Job, type QueueAdapter } from './index.ts';
import { fromBullId, toBullId } from './bullmq.ts';
import { sleep, waitFor } from '../../test/wait.ts';
import { dropRedisPrefix } from '../../test/redis.ts';

// The adapter under test is the one the engine would use: BullMQ with REDIS_URL, in-process otherwise.
const prefix = `sbt-q-${crypto.randomBytes(4).toString('hex')}`;
const open: QueueAdapter[] = [];
async function queue(): Promise<QueueAdapter> {
  // A prefix per adapter: every test starts with empty queues.
  const q = await createQueue(process.env.REDIS_URL, `${prefix}-${open.length}`);
  open.push(q);
  return q;
}
afterAll(async () => {
  await Promise.all(open.map((q) => q.close()));
  await Promise.all(open.map((_, i) => dropRedisPrefix(`${prefix}-${i}`)));
});

function recorder() {
  const runs: Job[] = [];
  return { runs, handler: async (job: Job) => void runs.push(job) };
}

test('BullMQ job ids map reversibly, whatever the id holds', () => {
  for (const id of ['send:0190-abc', '42', 'a%3Ab', '%N7', 'x:y:z', 'plain']) {
    const bull = toBullId(id);
    assert.ok(!bull.includes(':'), `${bull} has no colon`);
    assert.notEqual(`${parseInt(bull, 10)}`, bull, `${bull} does not read as an integer`);
    assert.equal(fromBullId(bull), id);
  }
  assert.notEqual(toBullId('a:b'), toBullId('a%3Ab'));
});

test('a job runs once; re-adding its id, even after it completed, runs nothing', async () => {
  const q = await queue();
  const r = recorder();
  q.process('work', r.handler);
  await q.add('work', [{ id: 'work:1', name: 'demo', data: { n: 1 } }, { id: '2', name: 'demo', data: { n: 2 } }]);
  await waitFor('both jobs', () => r.runs.length === 2);
  await q.add('work', [{ id: 'work:1', name: 'demo', data: { n: 99 } }]);
  await sleep(300);
  assert.equal(r.runs.length, 2);
  assert.deepEqual(r.runs.map((j) => j.id).sort(), ['2', 'work:1']);
  assert.deepEqual(r.runs.find((j) => j.id === 'work:1'), { id: 'work:1', name: 'demo', data: { n: 1 }, attempt: 1 });
});

test('jobs added before a worker exists run once it starts', async () => {
  const q = await queue();
  await q.add('late', [{ id: 'late:1', name: 'x', data: {} }]);
  const r = recorder();
  q.process('late', r.handler);
  await waitFor('the waiting job', () => r.runs.length === 1);
});

test('RetryLater retries after the given delay and counts attempts', async () => {
  const q = await queue();
  const at: number[] = [];
  q.process('retry', async (job) => {
    at.push(Date.now());
    if (job.attempt < 3) throw new RetryLater(150);
  });
  await q.add('retry', [{ id: 'retry:1', name: 'x', data: {} }]);
  await waitFor('three attempts', () => at.length === 3);
  assert.ok(at[1] - at[0] >= 140 && at[2] - at[1] >= 140, `gaps ${at[1] - at[0]}, ${at[2] - at[1]}`);
  await sleep(300);
  assert.equal(at.length, 3, 'a successful attempt ends the retries');
});

test('PermanentFailure is not retried; other errors stop after the allowed attempts', async () => {
  const q = await queue();
  const calls = { perm: 0, flaky: 0 };
  q.process('perm', async () => {
    calls.perm++;
    throw new PermanentFailure('no such number');
  });
  q.process('flaky', async () => {
    calls.flaky++;
    throw new RetryLater(20, 'still down');
  });
  await q.add('perm', [{ id: 'perm:1', name: 'x', data: {} }]);
  await q.add('flaky', [{ id: 'flaky:1', name: 'x', data: {}, attempts: 3 }]);
  await waitFor('three flaky attempts', () => calls.flaky === 3);
  await sleep(400);
  assert.deepEqual(calls, { perm: 1, flaky: 3 });
});

test('a plain error backs off exponentially with jitter before the next attempt', async () => {
  const q = await queue();
  const at: number[] = [];
  q.process('boom', async () => {
    at.push(Date.now());
    if (at.length === 1) throw new Error('transient');
  });
  await q.add('boom', [{ id: 'boom:1', name: 'x', data: {} }]);
  await waitFor('the retry', () => at.length === 2, 5_000);
  // backoffMs(1) is between half the 1 s base and the base.
  assert.ok(at[1] - at[0] >= 450, `retried after ${at[1] - at[0]} ms`);
});

test('delayed jobs wait; health answers; close waits for the running job', async () => {
  const q = await queue();
  assert.equal((await q.health()).ok, true);
  let finished = false;
  const started = Date.now();
  let ranAt = 0;
  q.process('slow', async () => {
    ranAt = Date.now();
    await sleep(200);
    finished = true;
  });
  await q.add('slow', [{ id: 'slow:1', name: 'x', data: {}, delayMs: 250 }]);
  await waitFor('the delayed job to start', () => ranAt > 0);
  assert.ok(ranAt - started >= 240, `ran after ${ranAt - started} ms`);
  await q.close();
  assert.equal(finished, true);
});
