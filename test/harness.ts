import '../app/settings-sections.ts';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import pg from 'pg';
import { loadConfig, type Config } from '../core/config.ts';
import { createEngine, type Engine } from '../core/engine.ts';
import { createOrg } from '../core/orgs.ts';
import { createApp, type ApiOptions } from '../api/app.ts';
import { waitFor } from './wait.ts';
import { createConnectorRegistry } from '../app/connectors.ts';
import { attachRealtime } from '../api/realtime/server.ts';
import { answerClientErrors } from '../api/http/client-errors.ts';
import { dropRedisPrefix } from './redis.ts';
import { pgliteSeed } from './pglite-seed.ts';

/**
 * Test harness: a whole engine over a real database. With DATABASE_URL set each harness gets a
 * fresh PostgreSQL database (dropped at close) and, with REDIS_URL, its own Redis prefix;
 * otherwise an in-memory PGlite and the in-process adapters.
 */
export interface Harness {
  engine: Engine;
  config: Config;
  baseUrl: string;
  server: http.Server;
  newOrg(name?: string): Promise<{ orgId: string; apiKey: string }>;
  /** fetch against the API; JSON in, parsed JSON out. */
  call(apiKey: string | null, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export const realServices = () => !!process.env.DATABASE_URL;

/**
 * Waits until every transaction committed before this call is settled, so one read of the feed
 * sees it (the feed holds back a transaction while an older one that may be ours runs: see
 * sb_settled_horizon). The harness does this before every GET /v1/sync: tests read their writes.
 */
export async function settleFeed(engine: Engine): Promise<void> {
  const { rows } = await engine.db.knex.raw(`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x`);
  await waitFor('the feed to settle', async () => (await engine.db.knex.raw(`SELECT sb_settled_horizon() >= ?::xid8 AS ok`, [rows[0].x])).rows[0].ok, 5_000, 20);
}

export async function freshDatabaseUrl(): Promise<{ url: string; drop: () => Promise<void> } | undefined> {
  const base = process.env.DATABASE_URL;
  if (!base) return undefined;
  const name = `sb_test_${crypto.randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export function testEnv(extra: Record<string, string> = {}): Record<string, string> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-test-'));
  return {
    NODE_ENV: 'test',
    SWITCHBOARD_DATA_DIR: dataDir,
    SWITCHBOARD_MASTER_KEY: crypto.randomBytes(32).toString('base64'),
    REDIS_PREFIX: `sbt-${crypto.randomBytes(4).toString('hex')}`,
    ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...extra,
  };
}

export async function startHarness(opts: { env?: Record<string, string>; api?: ApiOptions } = {}): Promise<Harness> {
  const fresh = await freshDatabaseUrl();
  const config = loadConfig(testEnv({ ...(fresh ? { DATABASE_URL: fresh.url } : {}), ...opts.env }));
  // Embedded: from the migrated seed (test/pglite-seed.ts), not an empty cluster migrated again.
  const engine = await createEngine(config, { pgliteDir: null, ...(fresh ? {} : { pgliteSeed: await pgliteSeed() }), connectors: await createConnectorRegistry(config) });
  const app = createApp(engine, opts.api);
  const server = http.createServer(app);
  answerClientErrors(server);
  const closeRealtime = attachRealtime(server, engine);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Like `switchboard start`: without PUBLIC_URL the server names itself by the port it got.
  if (!config.publicUrlConfigured) config.publicUrl = baseUrl;
  return {
    engine,
    config,
    baseUrl,
    server,
    async newOrg(name = 'Test org') {
      const { org, apiKey } = await createOrg(engine, { name });
      return { orgId: org.id, apiKey };
    },
    async call(apiKey, method, p, body, headers = {}) {
      if (method === 'GET' && p.startsWith('/v1/sync')) await settleFeed(engine);
      const res = await fetch(baseUrl + p, {
        method,
        headers: {
          ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: any = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {}
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async close() {
      await closeRealtime();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await app.close();
      await engine.close();
      await fresh?.drop();
      await dropRedisPrefix(config.redisPrefix);
      fs.rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}
