import assert from 'node:assert/strict';
import { test } from 'vitest';
import type { PostResult } from '../egress.ts';
import { defaultDeliveryOptions, judge, scheduleFor, SVIX_SCHEDULE_MS } from './deliver.ts';
import { matchesFilter, matchesType } from './matching.ts';

/**
 * The parts of webhook delivery that are decisions, not I/O: which answers are retried (and after
 * how long: the schedule, Retry-After), which end the delivery, which give the endpoint up; and
 * which events a subscription takes. webhooks.test.ts drives the same through real deliveries.
 */
const res = (over: Partial<PostResult>): PostResult => ({ status: 200, headers: {}, body: '', durationMs: 5, errorClass: null, error: null, ...over });

test('the default schedule is Svix’s: now, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; eight attempts, 15 s timeout, disabled after 5 days failing', () => {
  assert.deepEqual(SVIX_SCHEDULE_MS, [0, 5_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 5 * 3600_000, 10 * 3600_000, 10 * 3600_000]);
  const opts = defaultDeliveryOptions(false);
  assert.deepEqual(opts, { scheduleMs: SVIX_SCHEDULE_MS, timeoutMs: 15_000, disableAfterMs: 5 * 24 * 3600_000, allowPrivate: false });
  assert.equal(defaultDeliveryOptions(true).allowPrivate, true);
});

test('an endpoint’s own retry schedule (seconds between attempts) replaces the default, the first attempt immediate', () => {
  const opts = defaultDeliveryOptions(false);
  assert.deepEqual(scheduleFor({ retry_schedule: [1, 60, 3600] }, opts), [0, 1_000, 60_000, 3_600_000]);
  assert.deepEqual(scheduleFor({ retry_schedule: null }, opts), SVIX_SCHEDULE_MS);
  assert.deepEqual(scheduleFor({ retry_schedule: [] }, opts), [0]);
});

test('2xx succeeds, at both ends of the range; 1xx/3xx/4xx end the delivery without a retry', () => {
  for (const status of [200, 201, 204, 299]) assert.deepEqual(judge(res({ status })), { outcome: 'succeeded' }, String(status));
  for (const status of [100, 199, 300, 301, 400, 401, 404, 409, 422, 499]) assert.deepEqual(judge(res({ status })), { outcome: 'failed' }, String(status));
});

test('410 Gone gives the endpoint up; an egress refusal fails without a retry', () => {
  assert.deepEqual(judge(res({ status: 410 })), { outcome: 'failed', disable: 'the endpoint answered 410 Gone' });
  assert.deepEqual(judge(res({ status: null, errorClass: 'egress_refused', error: 'private address' })), { outcome: 'failed' });
});

test('timeouts, network errors, 408, 429 and 5xx are retried, with no wait of their own by default', () => {
  for (const r of [res({ status: null, errorClass: 'timeout' }), res({ status: null, errorClass: 'network' }), res({ status: 408 }), res({ status: 429 }), res({ status: 500 }), res({ status: 503 }), res({ status: 599 })]) {
    assert.deepEqual(judge(r), { outcome: 'retry', retryAfterMs: 0 }, JSON.stringify(r));
  }
});

test('Retry-After: seconds or an HTTP date, never negative, garbage ignored, the first of repeated headers', () => {
  const after = (h: string | string[]) => {
    const v = judge(res({ status: 503, headers: { 'retry-after': h } as never }));
    assert.equal(v.outcome, 'retry');
    return (v as { retryAfterMs: number }).retryAfterMs;
  };
  assert.equal(after('120'), 120_000);
  assert.equal(after('0'), 0);
  assert.equal(after('1.5'), 1_500);
  assert.equal(after('-5'), 0);
  assert.equal(after(''), 0);
  assert.equal(after('soon'), 0);
  assert.equal(after(['30', '90']), 30_000);
  const inAMinute = new Date(Date.now() + 60_000).toUTCString();
  const ms = after(inAMinute);
  assert.ok(ms > 55_000 && ms <= 60_000, String(ms));
  assert.equal(after(new Date(Date.now() - 60_000).toUTCString()), 0);
  assert.equal(judge(res({ status: 429, headers: { 'retry-after': '7' } })).outcome, 'retry');
  assert.deepEqual(judge(res({ status: 429, headers: { 'retry-after': '7' } })), { outcome: 'retry', retryAfterMs: 7_000 });
});

test('event types: "*", exact names, and "prefix.*" wildcards (not a bare prefix)', () => {
  assert.equal(matchesType(['*'], 'message.created'), true);
  assert.equal(matchesType(['message.created'], 'message.created'), true);
  assert.equal(matchesType(['message.created'], 'message.updated'), false);
  assert.equal(matchesType(['message.*'], 'message.status_changed'), true);
  assert.equal(matchesType(['message.*'], 'messages.created'), false);
  assert.equal(matchesType(['message'], 'message.created'), false);
  assert.equal(matchesType(['message*'], 'message.created'), false);
  assert.equal(matchesType(['contact.created', 'message.*'], 'contact.created'), true);
  assert.equal(matchesType([], 'message.created'), false);
});

test('filters: every criterion must hold; a conversation filter never matches an event without a conversation', () => {
  const conv = { id: 'c1', channel: 'sms', metadata: { unit: '4B', floor: 4, vip: true } };
  assert.equal(matchesFilter({}, null), true);
  assert.equal(matchesFilter({ metadata: {} }, null), true);
  assert.equal(matchesFilter({}, conv), true);
  assert.equal(matchesFilter({ channel: 'sms' }, null), false);
  assert.equal(matchesFilter({ metadata: { unit: '4B' } }, null), false);
  assert.equal(matchesFilter({ conversationId: 'c1' }, conv), true);
  assert.equal(matchesFilter({ conversationId: 'c2' }, conv), false);
  assert.equal(matchesFilter({ channel: 'sms' }, conv), true);
  assert.equal(matchesFilter({ channel: 'email' }, conv), false);
  assert.equal(matchesFilter({ metadata: { unit: '4B', floor: 4 } }, conv), true);
  assert.equal(matchesFilter({ metadata: { unit: '4B', floor: '4' } }, conv), false);
  assert.equal(matchesFilter({ metadata: { vip: false } }, conv), false);
  assert.equal(matchesFilter({ conversationId: 'c1', channel: 'email' }, conv), false);
  assert.equal(matchesFilter({ channel: 'sms', metadata: { unit: '5C' } }, conv), false);
});
