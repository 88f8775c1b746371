import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import crypto from 'node:crypto';
import knex, { type Knex } from 'knex';
import { startHarness, type Harness } from '../../test/harness.ts';
import { createApp } from '../app.ts';
import { isDatabaseUnavailable } from '../../core/db/outage.ts';
import { SESSION_COOKIE } from '../routes/users.ts';

/**
 * The database unreachable: every authenticated request is 503 service_unavailable with
 * Retry-After — a dashboard session is not "signed out" (401) by an outage, an API key is not
 * "invalid". The same app over a knex whose PostgreSQL port has nothing listening.
 */
let h: Harness;
let dead: Knex;
let server: http.Server;
let base: string;
let apiKey: string;

beforeAll(async () => {
  h = await startHarness();
  apiKey = (await h.newOrg()).apiKey;
  // A port that was just free: connections to it are refused, as when PostgreSQL is down.
  const probe = http.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => probe.once('listening', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  dead = knex({ client: 'pg', connection: `postgres://app@127.0.0.1:${port}/none`, pool: { min: 0, max: 1 }, acquireConnectionTimeout: 2000 });
  const engine = { ...h.engine, db: { ...h.engine.db, knex: dead, pii: dead } };
  server = http.createServer(createApp(engine)).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await dead?.destroy();
  await h?.close();
});

test('a session cookie or an API key while the database is down: 503 service_unavailable with Retry-After, not 401', async () => {
  const session = `sbs_${crypto.randomUUID()}_${crypto.randomBytes(32).toString('base64url')}`;
  for (const headers of <Record<string, string>[]>[{ cookie: `${SESSION_COOKIE}=${session}` }, { authorization: `Bearer ${session}` }, { authorization: `Bearer ${apiKey}` }]) {
    const res = await fetch(`${base}/v1/conversations`, { headers });
    const body = await res.json();
    assert.equal(res.status, 503, JSON.stringify({ headers, body }));
    assert.equal(body.error.code, 'service_unavailable');
    assert.equal(res.headers.get('retry-after'), '5');
  }
  // The live app, same credentials: a session that does not exist is still a plain 401.
  const live = await h.call(`sbs_${crypto.randomUUID()}_${crypto.randomBytes(32).toString('base64url')}`, 'GET', '/v1/conversations');
  assert.equal(live.status, 401);
});

test('a malformed session token is refused before the database is asked', async () => {
  const res = await fetch(`${base}/v1/conversations`, { headers: { authorization: `Bearer sbs_${'-'.repeat(36)}_${'a'.repeat(43)}` } });
  assert.equal(res.status, 401);
});

test('what counts as the database being unavailable', () => {
  assert.ok(isDatabaseUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })));
  assert.ok(isDatabaseUnavailable(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })));
  assert.ok(isDatabaseUnavailable(Object.assign(new Error('sorry, too many clients already'), { code: '53300' })));
  assert.ok(isDatabaseUnavailable(new Error('Knex: Timeout acquiring a connection. The pool is probably full.')));
  assert.ok(isDatabaseUnavailable(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })])));
  assert.ok(!isDatabaseUnavailable(Object.assign(new Error('duplicate key value'), { code: '23505' })));
  assert.ok(!isDatabaseUnavailable(Object.assign(new Error('invalid input syntax for type uuid'), { code: '22P02' })));
  assert.ok(!isDatabaseUnavailable(undefined));
});
