// bench: WebSocket fan-out: commit → frame latency at every client (org-wide dashboards + conversation streams) at a message rate
import crypto from 'node:crypto';
import os from 'node:os';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureCeiling, ratioLine } from './lib/ceiling.ts';
import { startStack } from './lib/stack.ts';
import { formatLatency, latency, round1 } from './lib/stats.ts';
import { runWriter, type WriterPlan } from './lib/event-writer.ts';
import { createConversations } from './lib/conversations.ts';
import { createRelay, realtimeConsumer } from '../core/events/relay.ts';
import type { ClientReport, ClientSpec } from './lib/ws-clients.ts';

/**
 * Realtime fan-out as the product uses it. An org has two kinds of WebSocket subscribers
 * (api/realtime): a few org-wide streams — agents' dashboards and inboxes, servers holding an API
 * key — that receive every event, and many conversation-scoped streams (?conversationId=, and the
 * chat widget's visitor sessions, which a widget token binds to one conversation) that receive
 * their conversation's events only. The load: `--clients` sockets of which `--org-wide` stream the
 * whole org and the rest are spread round-robin over `--conversations` conversations; `--rate`
 * replies per second land in those conversations round-robin, each one transaction appending
 * `message.created` + `conversation.updated` (bench/lib/event-writer.ts, a separate process in
 * production mode). The clients run in `--processes` child processes (bench/lib/ws-clients.ts).
 *
 * Per frame: latency = arrival − the event's createdAt (set by the database in the writing
 * transaction, so it includes the commit, the relay's pick-up, the Redis hop and the socket);
 * every client checks feed order (a repeat or an out-of-order frame is counted) and the totals are
 * compared with what each client should have received (lost frames).
 *
 * Conversation-scoped clients here connect with the API key (they receive both events of their
 * conversation); a widget visitor receives only message.created, so this is the heavier case.
 */
const HELP = `Usage: npm run bench -- fanout [--clients N] [--org-wide K] [--conversations C] [--rate R] [--seconds S] [--processes P] [--json]
  --clients        WebSocket clients in all (default 5000)
  --org-wide       of which org-wide streams (agent dashboards / inboxes; default 100); the others
                   stream one conversation each (widget visitors, conversation views)
  --conversations  conversations the scoped clients and the messages are spread over (default 1000)
  --rate           messages per second (each: message.created + conversation.updated; default 500)
  --seconds        measured seconds at that rate (default 20, after a 3 s warm-up)
  --processes      client processes (default 2)
  --json           print the result as one JSON line
  --no-ceiling     skip measuring the database's raw insert ceiling
Production mode when DATABASE_URL (and REDIS_URL) are set; then the writer is its own process too.`;

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string' },
    'org-wide': { type: 'string' },
    conversations: { type: 'string' },
    rate: { type: 'string' },
    seconds: { type: 'string' },
    processes: { type: 'string' },
    json: { type: 'boolean' },
    'no-ceiling': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  process.stdout.write(HELP + '\n');
  process.exit(0);
}
function count(name: string, raw: string | undefined, dflt: number, min = 1): number {
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    process.stderr.write(`--${name} must be an integer ≥ ${min} (got "${raw}")\n${HELP}\n`);
    process.exit(2);
  }
  return n;
}
const clientCount = count('clients', args.clients, 5000);
const orgWide = Math.min(clientCount, count('org-wide', args['org-wide'], 100, 0));
const conversationCount = count('conversations', args.conversations, 1000);
const rate = count('rate', args.rate, 500);
const seconds = count('seconds', args.seconds, 20);
const processes = count('processes', args.processes, 2);
const WARMUP_SECONDS = 3;

const say = (line: string) => process.stderr.write(line + '\n');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One reply of a forked child to `msg`, by its type. */
function ask<T>(child: ChildProcess, msg: unknown, answer: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const on = (m: { type: string; message?: string }) => {
      if (m.type === answer) {
        child.off('message', on);
        resolve(m as T);
      } else if (m.type === 'error') reject(new Error(m.message));
    };
    child.on('message', on);
    child.send(msg as object);
  });
}

const childPath = (name: string) => fileURLToPath(new URL(`./lib/${name}.ts`, import.meta.url));
const forkChild = (name: string) => fork(childPath(name), [], { execArgv: process.execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });


async function main() {
  const masterKey = crypto.randomBytes(32).toString('base64');
  // The relay with its realtime consumer only: the workers that also take message.created (send,
  // rules, AI, webhooks) run in worker processes in production and are not what this measures.
  const stack = await startStack({ SWITCHBOARD_MASTER_KEY: masterKey }, { background: false });
  const { config, engine, api } = stack;
  const relay = createRelay(engine, [realtimeConsumer(engine)]);
  await relay.start();
  const children: ChildProcess[] = [];
  try {
    say(`Creating ${conversationCount} conversations (${config.mode} mode)…`);
    const { conversations, templates } = await createConversations(stack, conversationCount);
    await relay.drain();

    const specs: ClientSpec[] = Array.from({ length: clientCount }, (_, i) => ({ conversationId: i < orgWide ? null : conversations[(i - orgWide) % conversationCount]! }));
    // Each process gets its share of both kinds (round-robin), so neither is a process of dashboards only.
    const shares: { index: number; spec: ClientSpec }[][] = Array.from({ length: processes }, () => []);
    specs.forEach((spec, index) => shares[index % processes]!.push({ index, spec }));
    say(`Opening ${clientCount} WebSockets (${orgWide} org-wide, ${clientCount - orgWide} over ${conversationCount} conversations) from ${processes} processes…`);
    const url = `${stack.base.replace(/^http/, 'ws')}/v1/realtime`;
    await Promise.all(
      shares.map((share) => {
        const child = forkChild('ws-clients');
        children.push(child);
        return ask(child, { type: 'open', url, apiKey: stack.apiKey, clients: share.map((s) => s.spec) }, 'opened');
      }),
    );

    const write = (plan: WriterPlan) => runWriter(stack, masterKey, plan);
    const plan = (s: number): WriterPlan => ({ orgId: stack.orgId, conversations, rate, seconds: s, templates });

    say(`Warm-up: ${WARMUP_SECONDS} s at ${rate} messages/s…`);
    await write(plan(WARMUP_SECONDS));
    await relay.drain();
    await sleep(2000);
    await Promise.all(children.map((c) => ask(c, { type: 'reset' }, 'reset')));

    say(`Measuring: ${seconds} s at ${rate} messages/s…`);
    // The server's CPU over the measured writing: near 100 % of one core means it is the bottleneck.
    const cpuFrom = process.cpuUsage();
    const written = await write(plan(seconds));
    const serverCpu = process.cpuUsage(cpuFrom);
    await relay.drain();
    // Frames still queued in sockets: wait until the totals stop growing (or 30 s).
    const expectedFor = (spec: ClientSpec) => 2 * (spec.conversationId === null ? written.messages : written.perConversation[conversations.indexOf(spec.conversationId)]!);
    const expected = specs.reduce((n, s) => n + expectedFor(s), 0);
    let reports: ClientReport[] = [];
    for (let waited = 0, last = -1; waited < 30_000; waited += 500) {
      reports = await Promise.all(children.map((c) => ask<ClientReport>(c, { type: 'report' }, 'report')));
      const got = reports.reduce((n, r) => n + r.received.reduce((a, b) => a + b, 0), 0);
      if (got >= expected || got === last) break;
      last = got;
      await sleep(500);
    }
    const received = reports.reduce((n, r) => n + r.received.reduce((a, b) => a + b, 0), 0);
    const disorder = reports.reduce((n, r) => n + r.repeatedOrOutOfOrder, 0);
    const samples: number[] = [];
    for (const r of reports) for (const v of r.latencies) samples.push(v);
    const closed = reports.reduce((n, r) => n + r.closed, 0);
    const percentOfCore = (ms: number) => Math.round(ms / written.seconds / 10);
    const serverCpuPercent = percentOfCore((serverCpu.user + serverCpu.system) / 1000);
    // Client processes: until their last frame arrived, so this is an upper bound on their share.
    const clientCpuPercent = reports.map((r) => percentOfCore(r.cpuMs));
    const ceiling = args['no-ceiling'] ? undefined : await measureCeiling(stack.databaseUrl);

    const messagesPerSecond = round1(written.messages / written.seconds);
    const result = {
      benchmark: 'fanout',
      mode: config.mode,
      database: engine.db.kind,
      realtime: engine.realtime.kind,
      clients: clientCount,
      orgWide,
      conversations: conversationCount,
      rate,
      processes,
      messages: written.messages,
      writeFailures: written.failed,
      seconds: round1(written.seconds),
      messagesPerSecond,
      framesExpected: expected,
      framesReceived: received,
      framesPerSecond: round1(received / written.seconds),
      lost: Math.max(0, expected - (received - disorder)),
      repeatedOrOutOfOrder: disorder,
      socketsClosed: closed,
      serverCpuPercent,
      clientCpuPercent,
      latencyMs: latency(samples),
      ceiling,
      ratio: ceiling ? Math.round((messagesPerSecond / ceiling.tps) * 1000) / 1000 : undefined,
      cpus: os.cpus().length,
      node: process.version,
    };
    if (args.json) process.stdout.write(JSON.stringify(result) + '\n');
    else {
      process.stdout.write(
        [
          `mode            ${result.mode} (database ${result.database}, realtime ${result.realtime})`,
          `clients         ${clientCount}: ${orgWide} org-wide + ${clientCount - orgWide} over ${conversationCount} conversations, in ${processes} processes`,
          `throughput      ${messagesPerSecond} messages/s (asked ${rate}) over ${result.seconds} s → ${result.framesPerSecond} frames/s to clients`,
          `commit → frame  ${formatLatency(result.latencyMs)} ms (${samples.length} frames)`,
          `frames          ${received} of ${expected} expected; lost ${result.lost}, repeated/out of order ${disorder}, sockets closed ${closed}`,
          `cpu             server ${serverCpuPercent} % of a core while writing; client processes ${clientCpuPercent.map((p) => `${p} %`).join(', ')}`,
          ...(ceiling ? [`ceiling         ${ratioLine(messagesPerSecond, ceiling)}`] : []),
          `machine         ${result.cpus} CPUs, Node ${result.node}`,
          '',
        ].join('\n'),
      );
    }
    return result.lost || disorder || written.failed ? 1 : 0;
  } finally {
    // The clients go first: a socket's close records its usage minutes, which needs the database.
    await Promise.all(children.map((c) => new Promise((resolve) => (c.exitCode !== null ? resolve(null) : (c.once('exit', resolve), c.connected ? c.send({ type: 'close' }) : c.kill())))));
    // …and each close writes its usage minutes (fire-and-forget): let those land before the pool closes.
    await sleep(Math.min(5000, clientCount));
    await relay.stop();
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
