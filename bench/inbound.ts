import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';

/**
 * Inbound throughput through the real HTTP API: `POST /v1/messages` with direction "inbound",
 * channel "chat", from a pool of contacts, with N requests in flight. The engine, the API and the
 * background work (relay, send / webhook / rules workers, sealer, poller) run in this process on a
 * random port, as `switchboard start` runs them.
 *
 *   npm run bench -- --messages 2000 --concurrency 32 [--contacts 100] [--rule] [--json]
 *
 * Embedded by default (PGlite on disk in a temp dir, in-process queue). With DATABASE_URL (and
 * REDIS_URL) set: production mode against a fresh database created for the run and dropped after,
 * and its own Redis prefix. BENCH_MESSAGES / BENCH_CONCURRENCY / BENCH_CONTACTS work too.
 */
const HELP = `Usage: npm run bench -- [--messages N] [--concurrency C] [--contacts K] [--json]
  --messages     inbound messages to post (default 2000; env BENCH_MESSAGES)
  --concurrency  requests in flight (default 32; env BENCH_CONCURRENCY)
  --contacts     distinct senders, each its own conversation (default 100; env BENCH_CONTACTS)
  --rule         give the org one enabled rule on message.received (its condition never matches),
                 so every event also runs through the rules worker
  --json         print the result as one JSON line
Production mode when DATABASE_URL (and REDIS_URL) are set.`;

function positiveInt(name: string, raw: string | undefined, dflt: number): number {
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    process.stderr.write(`--${name} must be a positive integer (got "${raw}")\n${HELP}\n`);
    process.exit(2);
  }
  return n;
}

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string' },
    concurrency: { type: 'string' },
    contacts: { type: 'string' },
    json: { type: 'boolean' },
    rule: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  process.stdout.write(HELP + '\n');
  process.exit(0);
}
const total = positiveInt('messages', args.messages ?? process.env.BENCH_MESSAGES, 2000);
const concurrency = positiveInt('concurrency', args.concurrency ?? process.env.BENCH_CONCURRENCY, 32);
const contactCount = positiveInt('contacts', args.contacts ?? process.env.BENCH_CONTACTS, 100);

const say = (line: string) => process.stderr.write(line + '\n');

// Set before any engine module loads (the logger reads them once): stdout carries only the result.
process.env.LOG_LEVEL ??= 'warn';
process.env.SWITCHBOARD_LOG_STDERR = '1';
const [{ loadConfig }, { createEngine }, { startBackgroundWork }, { cleanupStack }, { createOrg }, { startServer }, { freshDatabaseUrl }, { dropRedisPrefix }] =
  await Promise.all([
    import('../core/config.ts'),
    import('../core/engine.ts'),
    import('../app/background.ts'),
    import('../cli/lifecycle.ts'),
    import('../core/orgs.ts'),
    import('../api/server.ts'),
    import('../test/harness.ts'),
    import('../test/redis.ts'),
  ]);

function percentile(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : NaN;
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-bench-'));
  const fresh = await freshDatabaseUrl();
  const redisPrefix = `sb-bench-${crypto.randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: fresh?.url,
    REDIS_URL: fresh ? process.env.REDIS_URL : undefined,
    REDIS_PREFIX: redisPrefix,
    SWITCHBOARD_DATA_DIR: dataDir,
    SWITCHBOARD_MASTER_KEY: crypto.randomBytes(32).toString('base64'),
    // The benchmark measures the engine, not the per-key rate limit.
    RATE_LIMIT_PER_MINUTE: '10000000',
  });
  const engine = await createEngine(config);
  const background = cleanupStack();
  const relay = await startBackgroundWork(engine, background);
  const server = await startServer(engine, { host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${server.port}`;
  try {
    const { apiKey } = await createOrg(engine, { name: 'Bench org' });
    const post = async (p: string, body: unknown) => {
      const res = await fetch(base + p, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, json: (await res.json()) as any };
    };

    if (args.rule) {
      const r = await post('/v1/rules', { name: 'Bench rule', trigger: 'message.received', condition: { '==': [{ var: 'message.body' }, 'never sent by the benchmark'] }, actions: [{ type: 'tag', tags: ['bench'] }] });
      if (r.status !== 201) throw new Error(`creating the rule answered ${r.status}: ${JSON.stringify(r.json)}`);
    }
    const contacts: string[] = [];
    for (let i = 0; i < contactCount; i++) {
      const r = await post('/v1/contacts', { name: `Bench ${i}`, handles: [{ kind: 'app_user', value: `bench-user-${i}` }] });
      if (r.status !== 201) throw new Error(`creating a contact answered ${r.status}: ${JSON.stringify(r.json)}`);
      contacts.push(r.json.id);
    }
    const message = (i: number) => ({
      direction: 'inbound',
      channel: 'chat',
      from: { contactId: contacts[i % contacts.length] },
      body: `Benchmark message ${i}: the kitchen sink in unit ${i % 40} is leaking again.`,
      metadata: { unit: `${i % 40}B`, bench: true },
    });

    // Warm-up (JIT, connection pool, first conversations), not measured.
    const warmup = Math.min(100, Math.ceil(total / 10));
    for (let i = 0; i < warmup; i++) await post('/v1/messages', message(i));

    say(`Posting ${total} inbound chat messages, ${concurrency} in flight, from ${contactCount} contacts (${config.mode} mode)…`);
    const latencies: number[] = [];
    let next = 0;
    let errors = 0;
    let firstError: string | undefined;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: Math.min(concurrency, total) }, async () => {
        while (next < total) {
          const i = warmup + next++;
          const t0 = performance.now();
          const r = await post('/v1/messages', message(i)).catch((e: Error) => ({ status: 0, json: { error: e.message } }));
          latencies.push(performance.now() - t0);
          if (r.status !== 201) {
            errors++;
            firstError ??= `${r.status} ${JSON.stringify(r.json)}`;
          }
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const drainStart = performance.now();
    await relay.drain();
    const drainMs = performance.now() - drainStart;

    latencies.sort((a, b) => a - b);
    const round = (n: number) => Math.round(n * 10) / 10;
    const result = {
      mode: config.mode,
      database: engine.db.kind,
      queue: engine.queue.kind,
      messages: total,
      concurrency,
      contacts: contactCount,
      rule: !!args.rule,
      errors,
      seconds: round(seconds),
      messagesPerSecond: round((total - errors) / seconds),
      latencyMs: {
        p50: round(percentile(latencies, 0.5)),
        p95: round(percentile(latencies, 0.95)),
        p99: round(percentile(latencies, 0.99)),
        max: round(latencies.at(-1) ?? NaN),
      },
      relayDrainMs: round(drainMs),
      cpus: os.cpus().length,
      node: process.version,
    };
    if (args.json) {
      process.stdout.write(JSON.stringify(result) + '\n');
    } else {
      process.stdout.write(
        [
          `mode            ${result.mode} (database ${result.database}, queue ${result.queue})`,
          `messages        ${total} (${errors} failed), concurrency ${concurrency}, ${contactCount} contacts`,
          `throughput      ${result.messagesPerSecond} messages/s over ${result.seconds} s`,
          `latency (ms)    p50 ${result.latencyMs.p50}  p95 ${result.latencyMs.p95}  p99 ${result.latencyMs.p99}  max ${result.latencyMs.max}`,
          `relay           outbox drained ${result.relayDrainMs} ms after the last response`,
          `machine         ${result.cpus} CPUs, Node ${result.node}`,
          '',
        ].join('\n'),
      );
    }
    if (firstError) say(`first failure: ${firstError}`);
    return errors ? 1 : 0;
  } finally {
    await server.close();
    await background.run();
    await engine.close();
    await fresh?.drop();
    if (fresh) await dropRedisPrefix(redisPrefix);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
