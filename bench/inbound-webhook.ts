// bench: Twilio-signed inbound SMS webhooks at a connection's /v1/receive URL, N in flight
import crypto from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import twilioSdk from 'twilio';
import { measureCeiling, ratioLine } from './lib/ceiling.ts';
import { inFlight, positiveInt } from './lib/load.ts';
import { startStack } from './lib/stack.ts';
import { formatLatency, latency, round1 } from './lib/stats.ts';

/**
 * The provider path end to end: a Twilio connection is created in the bench org, then inbound SMS
 * webhooks in Twilio's documented form (MessageSid, AccountSid, From, To, Body, NumMedia,
 * NumSegments…), each signed with X-Twilio-Signature by the official SDK, are POSTed at the
 * connection's /v1/receive URL from many distinct senders, N in flight. Every one must be
 * answered 200 (TwiML) — the route answers only after the message is committed.
 *
 *   npm run bench -- inbound-webhook --messages 2000 --concurrency 32 [--senders 500] [--processes N] [--sql] [--json]
 *
 * The signed requests are built before the clock starts (the load generator shares the process
 * and its CPU with the engine). --sql counts the SQL statements the engine sends while the load
 * runs (every statement through knex: the request path, and the relay and workers beside it) and
 * prints the most frequent ones. Production mode when DATABASE_URL (and REDIS_URL) are set.
 */
const HELP = `Usage: npm run bench -- inbound-webhook [--messages N] [--concurrency C] [--senders K] [--processes N] [--sql] [--json]
  --messages     inbound webhooks to post (default 2000; env BENCH_MESSAGES)
  --concurrency  requests in flight (default 32; env BENCH_CONCURRENCY)
  --senders      distinct sender phone numbers, each its own contact and conversation (default 500)
  --processes    production: run the API as \`switchboard start\` with API_PROCESSES=N (a child
                 process: N HTTP processes on one port, the relay and workers in its primary)
  --sql          count SQL statements per message while the load runs, and print the top ones
                 (in-process API only, not with --processes)
  --json         print the result as one JSON line
  --no-ceiling   skip measuring the database's raw insert ceiling
Production mode when DATABASE_URL (and REDIS_URL) are set.`;

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string' },
    concurrency: { type: 'string' },
    senders: { type: 'string' },
    processes: { type: 'string' },
    sql: { type: 'boolean' },
    json: { type: 'boolean' },
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
const senderCount = positiveInt('senders', args.senders, 500, HELP);
const processes = args.processes === undefined ? undefined : positiveInt('processes', args.processes, 1, HELP);

const ACCOUNT_SID = 'AC' + crypto.randomBytes(16).toString('hex');
const AUTH_TOKEN = crypto.randomBytes(16).toString('hex');
const OUR_NUMBER = '+14155550100';
const say = (line: string) => process.stderr.write(line + '\n');

/** One inbound SMS as Twilio POSTs it: the form fields of its Messaging webhook. */
function smsParams(i: number): Record<string, string> {
  return {
    ToCountry: 'US', ToState: 'CA', SmsMessageSid: '', NumMedia: '0', ToCity: 'SAN FRANCISCO', FromZip: '94105',
    SmsSid: '', FromState: 'CA', SmsStatus: 'received', FromCity: 'SAN FRANCISCO',
    Body: `Benchmark message ${i}: the kitchen sink in unit ${i % 40}B is leaking again.`,
    FromCountry: 'US', To: OUR_NUMBER, ToZip: '94105', NumSegments: '1', MessageSid: '', AccountSid: ACCOUNT_SID,
    From: `+1415${String(2000000 + (i % senderCount)).padStart(7, '0')}`, ApiVersion: '2010-04-01',
  };
}

async function main() {
  const stack = await startStack({}, { processes });
  const { config, engine, api, base } = stack;
  try {
    const c = await api('POST', '/v1/connections', {
      wire: false, connector: 'twilio', name: 'Bench Twilio', sandbox: false,
      config: { accountSid: ACCOUNT_SID, fromNumbers: [OUR_NUMBER] }, secrets: { authToken: AUTH_TOKEN },
    });
    if (c.status !== 201) throw new Error(`creating the Twilio connection answered ${c.status}: ${JSON.stringify(c.json)}`);
    // The URL Twilio would call (and sign): this server's receive route for the connection.
    const url = `${base}/v1/receive/${c.json.id}`;
    const warmup = Math.min(200, Math.ceil(total / 10));
    const requests = Array.from({ length: warmup + total }, (_, i) => {
      const params = smsParams(i);
      params.MessageSid = params.SmsMessageSid = params.SmsSid = 'SM' + crypto.randomBytes(16).toString('hex');
      return { body: new URLSearchParams(params).toString(), signature: twilioSdk.getExpectedTwilioSignature(AUTH_TOKEN, url, params) };
    });
    const post = async (i: number) => {
      const { body, signature } = requests[i]!;
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body });
      const text = await res.text();
      return res.status === 200 ? undefined : `${res.status} ${text.slice(0, 500)}`;
    };

    // Warm-up (JIT, connection pool, the first contacts), not measured.
    for (let i = 0; i < warmup; i++) {
      const failure = await post(i);
      if (failure) throw new Error(`warm-up webhook answered ${failure}`);
    }

    const statements = new Map<string, number>();
    const countSql = (q: { sql: string }) => {
      const key = q.sql.replace(/\s+/g, ' ').slice(0, 140);
      statements.set(key, (statements.get(key) ?? 0) + 1);
    };
    if (args.sql) engine.db.knex.on('query', countSql);
    say(`Posting ${total} signed Twilio webhooks, ${concurrency} in flight, from ${senderCount} senders (${config.mode} mode)…`);
    const load = await inFlight(total, concurrency, (i) => post(warmup + i));
    if (args.sql) engine.db.knex.off('query', countSql);
    const drainStart = performance.now();
    await stack.relay?.drain();
    const drainMs = performance.now() - drainStart;
    const ceiling = args['no-ceiling'] ? undefined : await measureCeiling(stack.databaseUrl);

    const perSecond = round1((total - load.errors) / load.seconds);
    const sqlTotal = [...statements.values()].reduce((a, b) => a + b, 0);
    const result = {
      benchmark: 'inbound-webhook',
      mode: config.mode,
      database: engine.db.kind,
      queue: engine.queue.kind,
      messages: total,
      concurrency,
      senders: senderCount,
      apiProcesses: processes ?? 1,
      errors: load.errors,
      seconds: round1(load.seconds),
      messagesPerSecond: perSecond,
      latencyMs: latency(load.latencies),
      relayDrainMs: round1(drainMs),
      sqlPerMessage: args.sql ? round1(sqlTotal / total) : undefined,
      ceiling,
      ratio: ceiling ? Math.round((perSecond / ceiling.tps) * 1000) / 1000 : undefined,
      cpus: os.cpus().length,
      node: process.version,
    };
    if (args.json) {
      process.stdout.write(JSON.stringify(result) + '\n');
    } else {
      const top = [...statements.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
      process.stdout.write(
        [
          `mode            ${result.mode} (database ${result.database}, queue ${result.queue})`,
          `webhooks        ${total} (${load.errors} failed), concurrency ${concurrency}, ${senderCount} senders, ${processes ?? 1} API process(es)`,
          `throughput      ${perSecond} messages/s over ${result.seconds} s`,
          `latency (ms)    ${formatLatency(result.latencyMs)}`,
          ...(stack.relay ? [`relay           outbox drained ${result.relayDrainMs} ms after the last response`] : []),
          ...(args.sql ? [`sql             ${result.sqlPerMessage} statements per message (request path + relay + workers)`, ...top.map(([q, n]) => `  ${(n / total).toFixed(2).padStart(6)}  ${q}`)] : []),
          ...(ceiling ? [`ceiling         ${ratioLine(perSecond, ceiling)}`] : []),
          `machine         ${result.cpus} CPUs, Node ${result.node}`,
          '',
        ].join('\n'),
      );
    }
    if (load.firstError) say(`first failure: ${load.firstError}`);
    return load.errors ? 1 : 0;
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
