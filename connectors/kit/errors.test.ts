import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { classifyHttpError, ConnectorError, MappingError, parseRetryAfter } from './errors.ts';

describe('ConnectorError', () => {
  it('derives retryable from the code, and lets the connector override it', () => {
    assert.equal(new ConnectorError('rate_limited', 'x').retryable, true);
    assert.equal(new ConnectorError('vendor_unavailable', 'x').retryable, true);
    assert.equal(new ConnectorError('timeout', 'x').retryable, true);
    assert.equal(new ConnectorError('recipient_opted_out', 'x').retryable, false);
    assert.equal(new ConnectorError('invalid_request', 'x').retryable, false);
    assert.equal(new ConnectorError('filtered', 'x', { retryable: true }).retryable, true);
    assert.equal(new ConnectorError('vendor_unavailable', 'x', { retryable: false }).retryable, false);
  });

  it('keeps the provider code and retry delay, and serializes them', () => {
    const err = new ConnectorError('rate_limited', 'slow down', { providerCode: '20429', retryAfterMs: 2000, httpStatus: 429 });
    assert.deepEqual(JSON.parse(JSON.stringify(err)), {
      code: 'rate_limited',
      message: 'slow down',
      retryable: true,
      providerCode: '20429',
      retryAfterMs: 2000,
      httpStatus: 429,
    });
  });

  it('is recognized across copies of the kit by its brand, not its prototype', () => {
    const err = new ConnectorError('timeout', 'x');
    const foreign = Object.assign(Object.create(null), { [Symbol.for('switchboard.kit.ConnectorError')]: true, code: 'timeout' });
    assert.ok(ConnectorError.is(err));
    assert.ok(ConnectorError.is(foreign));
    assert.ok(!ConnectorError.is(new Error('x')));
    assert.ok(!ConnectorError.is(new MappingError(['x'])));
  });

  it('falls back to unknown for a code outside the list', () => {
    assert.equal(new ConnectorError('exploded' as never, 'x').code, 'unknown');
  });
});

describe('classifyHttpError', () => {
  const now = Date.parse('2026-11-27T12:00:00Z');

  it('429 → rate_limited, retryable, Retry-After in seconds or as an HTTP date', () => {
    const secs = classifyHttpError(429, { 'Retry-After': '7' });
    assert.equal(secs.code, 'rate_limited');
    assert.equal(secs.retryable, true);
    assert.equal(secs.retryAfterMs, 7000);
    const date = classifyHttpError(429, new Headers({ 'retry-after': 'Fri, 27 Nov 2026 12:00:30 GMT' }), { now });
    assert.equal(date.retryAfterMs, 30_000);
    assert.equal(classifyHttpError(429, {}).retryAfterMs, undefined);
  });

  it('5xx → vendor_unavailable (retryable), 408 → timeout', () => {
    for (const s of [500, 502, 503, 504]) {
      const e = classifyHttpError(s);
      assert.deepEqual([e.code, e.retryable, e.httpStatus], ['vendor_unavailable', true, s]);
    }
    assert.equal(classifyHttpError(503, { 'retry-after': ['120'] }).retryAfterMs, 120_000);
    assert.equal(classifyHttpError(408).code, 'timeout');
  });

  it('401/403 → auth_failed, other 4xx → invalid_request, none retryable', () => {
    for (const [s, code] of [[401, 'auth_failed'], [403, 'auth_failed'], [400, 'invalid_request'], [404, 'invalid_request'], [422, 'invalid_request']] as const) {
      const e = classifyHttpError(s, undefined, { providerCode: 'X1' });
      assert.deepEqual([e.code, e.retryable, e.providerCode], [code, false, 'X1']);
    }
  });

  it('parseRetryAfter refuses what is neither delta-seconds nor a date, and never goes negative', () => {
    assert.equal(parseRetryAfter('1.5'), undefined);
    assert.equal(parseRetryAfter('-3'), undefined);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter('Fri, 27 Nov 2026 11:00:00 GMT', now), 0);
    assert.equal(parseRetryAfter(' 0 '), 0);
  });
});
