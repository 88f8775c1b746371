// bench: POST /v1/messages (inbound chat messages through the API), N in flight
import os from 'node:os';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { measureCeiling, ratioLine } from './lib/ceiling.ts';
import { startStack } from './lib/stack.ts';
import { inFlight, positiveInt } from './lib/load.ts';
import { formatLatency, latency, round1 } from './lib/stats.ts';

/**
 * Inbound throughput through the real HTTP API: `POST /v1/messages` with direction "inbound",
 * channel "chat", from a pool of contacts, with N requests in flight. The engine, the API and the
 * background work (relay, send / webhook / rules workers, sealer, poller) run in this process on a
 * random port, as `switchboard start` runs them.
 *
 *   npm run bench -- inbound --messages 2000 --concurrency 32 [--contacts 100] [--rule] [--json]
 *
 * Embedded by default (PGlite on disk in a temp dir, in-process queue). With DATABASE_URL (and
 * REDIS_URL) set: production mode against a fresh database created for the run and dropped after,
 * and its own Redis prefix. BENCH_MESSAGES / BENCH_CONCURRENCY / BENCH_CONTACTS work too.
 */
const HELP = `Usage: npm run bench -- inbound [--messages N] [--concurrency C] [--contacts K] [--json]
  --messages     inbound messages to post (default 2000; env BENCH_MESSAGES)
  --concurrency  requests in flight (default 32; env BENCH_CONCURRENCY)
  --contacts     distinct senders, each its own conversation (default 100; env BENCH_CONTACTS)
  --rule         give the org one enabled rule on message.received (its condition never matches),
                 so every event also runs through the rules worker
  --json         print the result as one JSON line
  --no-ceiling   skip measuring the database's raw insert ceiling
Production mode when DATABASE_URL (and REDIS_URL) are set.`;

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string' },
    concurrency: { type: 'string' },
    contacts: { type: 'string' },
    json: { type: 'boolean' },
    rule: { type: 'boolean' },
    'no-ceiling': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  process.stdout.write(HELP + '\n');
  process.exit(0);
}
const total = positiveInt('messages', args.messages ?? process.env.BENCH_MESSAGES, 2000, HELP);
const concurrency = positiveInt('concurrency', args.concurrency ?? process.env.BENCH_CONCURRENCY, 32, HELP);
const contactCount = positiveInt('contacts', args.contacts ?? process.env.BENCH_CONTACTS, 100, HELP);

const say = (line: string) => process.stderr.write(line + '\n');

async function main() {
  const stack = await startStack();
  const { config, engine, api } = stack;
  try {
    const post = (p: string, body: unknown) => api('POST', p, body);
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
    const { latencies, errors, firstError, seconds } = await inFlight(total, concurrency, async (i) => {
      const r = await post('/v1/messages', message(warmup + i));
      return r.status === 201 ? undefined : `${r.status} ${JSON.stringify(r.json)}`;
    });
    const drainStart = performance.now();
    await stack.relay?.drain();
    const drainMs = performance.now() - drainStart;
    const ceiling = args['no-ceiling'] ? undefined : await measureCeiling(stack.databaseUrl);

    const perSecond = round1((total - errors) / seconds);
    const result = {
      benchmark: 'inbound',
      mode: config.mode,
      database: engine.db.kind,
      queue: engine.queue.kind,
      messages: total,
      concurrency,
      contacts: contactCount,
      rule: !!args.rule,
      errors,
      seconds: round1(seconds),
      messagesPerSecond: perSecond,
      latencyMs: latency(latencies),
      relayDrainMs: round1(drainMs),
      ceiling,
      ratio: ceiling ? Math.round((perSecond / ceiling.tps) * 1000) / 1000 : undefined,
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
          `latency (ms)    ${formatLatency(result.latencyMs)}`,
          `relay           outbox drained ${result.relayDrainMs} ms after the last response`,
          ...(ceiling ? [`ceiling         ${ratioLine(perSecond, ceiling)}`] : []),
          `machine         ${result.cpus} CPUs, Node ${result.node}`,
          '',
        ].join('\n'),
      );
    }
    if (firstError) say(`first failure: ${firstError}`);
    return errors ? 1 : 0;
  } finally {
    await stack.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
