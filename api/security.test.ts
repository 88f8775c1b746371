import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startHarness, type Harness } from '../test/harness.ts';
import { SCOPES } from '../core/scopes.ts';

/**
 * Access control across the whole API: every operation of the OpenAPI document that names a
 * scope refuses a key lacking it (403, before any validation or lookup); rate limits answer 429
 * with Retry-After, per key and per client IP; security headers on every response.
 */
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ env: { RATE_LIMIT_PER_MINUTE: '40' } });
});
afterAll(async () => h?.close());

const ip = () => `198.51.100.${crypto.randomInt(1, 254)}`;

test('every scoped operation in the OpenAPI document refuses a key lacking its scope (403 forbidden)', async () => {
  const org = await h.newOrg();
  const doc = (await h.call(null, 'GET', '/v1/openapi.json')).body;
  const ops: { method: string; path: string; scope: string }[] = [];
  for (const [path, item] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) if (op['x-required-scope']) ops.push({ method, path, scope: op['x-required-scope'] });
  }
  assert.ok(ops.length >= 40, `only ${ops.length} scoped operations`);
  const keys = new Map<string, string>();
  for (const needed of new Set(ops.map((o) => o.scope))) {
    // Every scope but the one needed (and admin, which implies all).
    const scopes = SCOPES.filter((s) => s !== needed && s !== 'admin');
    const res = await h.call(org.apiKey, 'POST', '/v1/api-keys', { name: `without ${needed}`, scopes });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    keys.set(needed, res.body.secret);
  }
  const failures: string[] = [];
  for (const op of ops) {
    const path = op.path.replace(/\{[^}]+\}/g, crypto.randomUUID());
    // Distinct client IPs keep the per-IP limiter out of the way; the per-key one allows 40/min per key.
    const res = await h.call(keys.get(op.scope)!, op.method.toUpperCase(), path, ['post', 'put', 'patch'].includes(op.method) ? {} : undefined, { 'x-forwarded-for': ip() });
    if (res.status !== 403 || res.body?.error?.code !== 'forbidden') failures.push(`${op.method} ${op.path} (${op.scope}) → ${res.status}`);
  }
  assert.deepEqual(failures, []);
});

test('an unauthenticated client IP over its limit gets 429 with Retry-After; another IP does not', async () => {
  const me = ip();
  let last: Awaited<ReturnType<Harness['call']>> | undefined;
  for (let i = 0; i < 41; i++) last = await h.call(null, 'GET', '/v1/health', undefined, { 'x-forwarded-for': me });
  assert.equal(last!.status, 429);
  assert.equal(last!.body.error.code, 'rate_limited');
  assert.ok(Number(last!.headers.get('retry-after')) >= 1);
  assert.equal((await h.call(null, 'GET', '/v1/health', undefined, { 'x-forwarded-for': ip() })).status, 200);
});

test('an API key over its limit gets 429 with Retry-After, whatever IP it comes from', async () => {
  const org = await h.newOrg();
  let last: Awaited<ReturnType<Harness['call']>> | undefined;
  for (let i = 0; i < 41; i++) last = await h.call(org.apiKey, 'GET', '/v1/org', undefined, { 'x-forwarded-for': ip() });
  assert.equal(last!.status, 429);
  assert.ok(Number(last!.headers.get('retry-after')) >= 1);
});

test('security headers: CSP, frame denial, nosniff on JSON responses; HSTS only with an https PUBLIC_URL', async () => {
  const res = await h.call(null, 'GET', '/v1/health', undefined, { 'x-forwarded-for': ip() });
  assert.match(res.headers.get('content-security-policy')!, /default-src 'none'.*frame-ancestors 'none'/);
  assert.equal(res.headers.get('x-frame-options'), 'DENY');
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(res.headers.get('strict-transport-security'), null, 'plain http test server');
  const https = await startHarness({ env: { PUBLIC_URL: 'https://switchboard.example.com' } });
  try {
    const r = await https.call(null, 'GET', '/v1/health');
    assert.match(r.headers.get('strict-transport-security')!, /max-age=\d+/);
  } finally {
    await https.close();
  }
});
