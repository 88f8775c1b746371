import { test, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { createRealtime, type RealtimeAdapter } from './index.ts';
import type { EngineEvent } from '../events/events.ts';
import { sleep, waitFor } from '../../test/wait.ts';

// With REDIS_URL two adapters stand for two processes sharing Redis; without it, one in-process adapter.
const prefix = `sbt-rt-${crypto.randomBytes(4).toString('hex')}`;
const open: RealtimeAdapter[] = [];
async function adapter(): Promise<RealtimeAdapter> {
  const a = await createRealtime(process.env.REDIS_URL, prefix);
  open.push(a);
  return a;
}
afterAll(async () => {
  await Promise.all(open.map((a) => a.close()));
});

const event = (orgId: string, n: number): EngineEvent => ({
  id: crypto.randomUUID(),
  type: 'test.event',
  orgId,
  conversationId: null,
  subjectId: null,
  createdAt: new Date().toISOString(),
  cursor: `c${n}`,
  data: { n },
});

test('a published event reaches every subscriber of its org, in order, and no other org', async () => {
  const publisher = await adapter();
  const subscriber = process.env.REDIS_URL ? await adapter() : publisher;
  assert.equal(publisher.kind, process.env.REDIS_URL ? 'redis' : 'in-process');
  const orgA = crypto.randomUUID();
  const orgB = crypto.randomUUID();
  const first: EngineEvent[] = [];
  const second: EngineEvent[] = [];
  const other: EngineEvent[] = [];
  const off1 = subscriber.subscribe(orgA, (e) => first.push(e));
  const off2 = subscriber.subscribe(orgA, (e) => second.push(e));
  const offB = subscriber.subscribe(orgB, (e) => other.push(e));
  await Promise.all([subscriber.ready(orgA), subscriber.ready(orgB)]);
  const sent = [1, 2, 3].map((n) => event(orgA, n));
  await Promise.all(sent.map((e) => publisher.publish(e)));
  await waitFor('both subscribers', () => first.length === 3 && second.length === 3);
  assert.deepEqual(first, sent);
  assert.deepEqual(second, sent);
  assert.deepEqual(other, []);

  off1();
  await publisher.publish(event(orgA, 4));
  await waitFor('the remaining subscriber', () => second.length === 4);
  assert.equal(first.length, 3, 'an unsubscribed listener gets nothing more');
  off2();
  offB();
  await publisher.publish(event(orgA, 5));
  await sleep(100);
  assert.equal(second.length, 4);
});

test('subscribing again after the last listener left works at once', async () => {
  const publisher = await adapter();
  const subscriber = process.env.REDIS_URL ? await adapter() : publisher;
  const org = crypto.randomUUID();
  subscriber.subscribe(org, () => {})();
  const got: EngineEvent[] = [];
  const off = subscriber.subscribe(org, (e) => got.push(e));
  await subscriber.ready(org);
  await publisher.publish(event(org, 1));
  await waitFor('the event', () => got.length === 1);
  off();
  assert.deepEqual(await subscriber.health(), { ok: true });
});
