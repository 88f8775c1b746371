import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The engine as `switchboard start` runs it (API server on a random port + relay + workers) in
 * this process, for a benchmark. Embedded unless DATABASE_URL is set; then a fresh database is
 * created for the run (dropped after) with its own Redis prefix.
 *
 * processes: N (production only): the API and background work run instead as a child
 * `switchboard start` with API_PROCESSES=N (N HTTP processes on one port); this process keeps an
 * engine on the same database and master key for set-up (the org, its key) and checks.
 *
 * `opts.database` runs on an existing database instead (kept after: a generated data set reused
 * across runs), and `opts.org` on an org already in it (its API key) instead of a new one. Its
 * master key must then come in `env.SWITCHBOARD_MASTER_KEY` (the org keys are wrapped by it).
 */
// Set before any engine module loads (the logger reads them once): stdout carries only results.
process.env.LOG_LEVEL ??= 'warn';
process.env.SWITCHBOARD_LOG_STDERR = '1';

export type BenchStack = Awaited<ReturnType<typeof startStack>>;

export interface StackOptions {
  background?: boolean;
  /** N HTTP processes as a child `switchboard start` with API_PROCESSES=N (production only). */
  processes?: number;
  database?: { url: string };
  org?: { id: string; apiKey: string };
}

export async function startStack(env: Record<string, string> = {}, opts: StackOptions = {}) {
  const [{ loadConfig }, { createEngine }, { startBackgroundWork }, { cleanupStack }, { createOrg }, { startServer }, { freshDatabaseUrl }, { dropRedisPrefix }, { createConnectorRegistry }] =
    await Promise.all([
      import('../../core/config.ts'),
      import('../../core/engine.ts'),
      import('../../app/background.ts'),
      import('../../cli/lifecycle.ts'),
      import('../../core/orgs.ts'),
      import('../../api/server.ts'),
      import('../../test/harness.ts'),
      import('../../test/redis.ts'),
      import('../../app/connectors.ts'),
    ]);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-'));
  const fresh = opts.database ? undefined : await freshDatabaseUrl();
  const databaseUrl = opts.database?.url ?? fresh?.url;
  const redisPrefix = `sb-bench-${crypto.randomBytes(4).toString('hex')}`;
  if (opts.processes && !databaseUrl) throw new Error('several API processes need production mode (DATABASE_URL and REDIS_URL)');
  const stackEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: databaseUrl ? process.env.REDIS_URL : undefined,
    REDIS_PREFIX: redisPrefix,
    SWITCHBOARD_DATA_DIR: dataDir,
    SWITCHBOARD_MASTER_KEY: crypto.randomBytes(32).toString('base64'),
    // Benchmarks measure the engine, not the per-key rate limit.
    RATE_LIMIT_PER_MINUTE: '10000000',
    ...env,
  };
  const config = loadConfig(stackEnv);
  // The connector registry `switchboard start` loads (Twilio, WhatsApp…), for the provider benchmarks.
  const engine = await createEngine(config, { connectors: await createConnectorRegistry(config) });
  const background = cleanupStack();
  let child: ChildProcess | undefined;
  let relay: Awaited<ReturnType<typeof startBackgroundWork>> | undefined;
  let server: { port: number; close(): Promise<void> };
  if (opts.processes) {
    ({ child, server } = await startChild({ ...stackEnv, API_PROCESSES: String(opts.processes), PORT: '0', HOST: '127.0.0.1' }));
  } else {
    relay = opts.background === false ? undefined : await startBackgroundWork(engine, background);
    server = await startServer(engine, { host: '127.0.0.1', port: 0 });
  }
  const base = `http://127.0.0.1:${server.port}`;
  const { apiKey, org } = opts.org ? { apiKey: opts.org.apiKey, org: { id: opts.org.id } } : await createOrg(engine, { name: 'Bench org' });

  /** A JSON request with the org's API key. */
  const api = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(base + p, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : undefined) as any };
  };

  return {
    config,
    engine,
    get relay() {
      return relay;
    },
    /** With `background: false`, starts the relay and workers later (a benchmark that builds a backlog first). */
    async startBackground() {
      relay ??= await startBackgroundWork(engine, background);
      return relay;
    },
    server,
    base,
    apiKey,
    orgId: org.id,
    databaseUrl,
    api,
    async close() {
      await server.close();
      await background.run();
      await engine.close();
      await fresh?.drop();
      if (databaseUrl) await dropRedisPrefix(redisPrefix);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `switchboard start` as a child process; resolves once its banner names the port. */
async function startChild(env: Record<string, string | undefined>): Promise<{ child: ChildProcess; server: { port: number; close(): Promise<void> } }> {
  const bin = new URL('../../bin/switchboard.js', import.meta.url).pathname;
  const child = spawn(process.execPath, [bin, 'start'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const m = /API base\s+http:\/\/[^:]+:(\d+)\/v1/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`switchboard start exited (${code}) before it listened:\n${out}`)));
  });
  return {
    child,
    server: {
      port,
      async close() {
        child.kill('SIGTERM');
        await exited;
      },
    },
  };
}
