// bench: outbound webhooks: signed deliveries/s to a local receiver, commit → delivery latency, per-conversation order checked
import crypto from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { measureCeiling, ratioLine } from './lib/ceiling.ts';
import { positiveInt } from './lib/load.ts';
import { startStack } from './lib/stack.ts';
import { formatLatency, latency, round1 } from './lib/stats.ts';
import { runWriter } from './lib/event-writer.ts';
import { createConversations } from './lib/conversations.ts';
import { startReceiver } from '../core/webhooks/test-receiver.ts';
import { createRelay } from '../core/events/relay.ts';
import { dispatchConsumer } from '../core/events/dispatch.ts';
import { webhookDispatchRoute } from '../core/webhooks/jobs.ts';
import { startWebhookWorker } from '../core/webhooks/worker.ts';

/**
 * Outbound webhooks end to end: messages land in `--conversations` conversations at `--rate` per
 * second (each appends message.created + conversation.updated, bench/lib/event-writer.ts, its own
 * process in production mode); one endpoint subscribed to "*" on a local HTTP receiver gets one
 * signed delivery per event. In this process: the relay with the webhook route only and the
 * webhook worker (fan-out to deliveries, then one job per attempt, WEBHOOK_CONCURRENCY in flight).
 *
 * Measured at the receiver: deliveries per second from the first write to the last delivery,
 * commit → delivery latency (arrival − the event's createdAt), and per-conversation order: each
 * conversation's deliveries must arrive in the order of the org's feed (read back from /v1/sync).
 */
const HELP = `Usage: npm run bench -- webhooks [--rate R] [--seconds S] [--conversations C] [--concurrency N] [--json]
  --rate           messages per second, each two events → two deliveries (default 500)
  --seconds        seconds of writing (default 10)
  --conversations  conversations the messages are spread over (default 200)
  --concurrency    webhook attempts in flight (WEBHOOK_CONCURRENCY; default the config's, 32)
  --json           print the result as one JSON line
  --no-ceiling     skip measuring the database's raw insert ceiling
Production mode when DATABASE_URL (and REDIS_URL) are set.`;

const { values: args } = parseArgs({
  options: {
    rate: { type: 'string' },
    seconds: { type: 'string' },
    conversations: { type: 'string' },
    concurrency: { type: 'string' },
    json: { type: 'boolean' },
    'no-ceiling': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  process.stdout.write(HELP + '\n');
  process.exit(0);
}
const rate = positiveInt('rate', args.rate, 500, HELP);
const seconds = positiveInt('seconds', args.seconds, 10, HELP);
const conversationCount = positiveInt('conversations', args.conversations, 200, HELP);

const say = (line: string) => process.stderr.write(line + '\n');

async function main() {
  const masterKey = crypto.randomBytes(32).toString('base64');
  const stack = await startStack(
    { SWITCHBOARD_MASTER_KEY: masterKey, WEBHOOKS_ALLOW_PRIVATE: 'true', ...(args.concurrency ? { WEBHOOK_CONCURRENCY: args.concurrency } : {}) },
    { background: false },
  );
  const { config, engine } = stack;
  // Arrival times by event id; the receiver answers 200 at once.
  const arrivals: { id: string; conversationId: string | null; at: number; createdAt: string }[] = [];
  const receiver = await startReceiver((req) => {
    arrivals.push({ id: req.json?.id, conversationId: req.json?.conversationId ?? null, at: Date.now(), createdAt: req.json?.createdAt });
    return { status: 200 };
  });
  try {
    say(`Creating ${conversationCount} conversations (${config.mode} mode)…`);
    const { conversations, templates } = await createConversations(stack, conversationCount);
    const sub = await stack.api('POST', '/v1/subscriptions', { url: `${receiver.url}/hook`, eventTypes: ['*'] });
    if (sub.status !== 201) throw new Error(`creating the subscription answered ${sub.status}: ${JSON.stringify(sub.json)}`);
    // Only the webhook route of the relay, and the webhook worker: the other workers that take
    // message.created (send, rules, AI) are not what this measures.
    const relay = createRelay(engine, [dispatchConsumer(engine, [webhookDispatchRoute])]);
    await relay.start();
    const worker = startWebhookWorker(engine);
    try {
      say(`Writing ${seconds} s at ${rate} messages/s (${2 * rate} deliveries/s offered), ${config.webhookConcurrency} attempts in flight…`);
      const started = performance.now();
      const startedAt = Date.now();
      const written = await runWriter(stack, masterKey, { orgId: stack.orgId, conversations, rate, seconds, templates });
      const expected = 2 * written.messages;
      const measured = () => arrivals.filter((a) => Date.parse(a.createdAt) >= startedAt - 1000 && a.conversationId !== null);
      await receiver.waitFor(() => measured().length >= expected, 120_000).catch(() => {});
      const deliverySeconds = (performance.now() - started) / 1000;
      const got = measured();

      // The feed's order of each conversation's events, from /v1/sync, against the arrival order.
      const feed: string[] = [];
      for (let cursor = ''; ; ) {
        const page = await stack.api('GET', `/v1/sync?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
        feed.push(...page.json.events.map((e: { id: string }) => e.id));
        if (!page.json.hasMore) break;
        cursor = page.json.nextCursor;
      }
      const rank = new Map(feed.map((id, i) => [id, i]));
      const lastRank = new Map<string, number>();
      const seen = new Set<string>();
      let outOfOrder = 0;
      let repeated = 0;
      for (const a of got) {
        if (seen.has(a.id)) repeated++;
        seen.add(a.id);
        const r = rank.get(a.id) ?? -1;
        if (r <= (lastRank.get(a.conversationId!) ?? -1)) outOfOrder++;
        else lastRank.set(a.conversationId!, r);
      }
      const ceiling = args['no-ceiling'] ? undefined : await measureCeiling(stack.databaseUrl);
      const perSecond = round1(seen.size / deliverySeconds);
      const result = {
        benchmark: 'webhooks',
        mode: config.mode,
        database: engine.db.kind,
        queue: engine.queue.kind,
        rate,
        conversations: conversationCount,
        concurrency: config.webhookConcurrency,
        messages: written.messages,
        writeSeconds: round1(written.seconds),
        deliveriesExpected: expected,
        delivered: seen.size,
        repeated,
        outOfOrder,
        seconds: round1(deliverySeconds),
        deliveriesPerSecond: perSecond,
        latencyMs: latency(got.map((a) => a.at - Date.parse(a.createdAt))),
        ceiling,
        ratio: ceiling ? Math.round((perSecond / ceiling.tps) * 1000) / 1000 : undefined,
        cpus: os.cpus().length,
        node: process.version,
      };
      if (args.json) process.stdout.write(JSON.stringify(result) + '\n');
      else
        process.stdout.write(
          [
            `mode            ${result.mode} (database ${result.database}, queue ${result.queue}), ${result.concurrency} attempts in flight`,
            `load            ${written.messages} messages in ${result.writeSeconds} s over ${conversationCount} conversations (asked ${rate}/s), ${expected} deliveries`,
            `throughput      ${perSecond} deliveries/s (${seen.size} of ${expected} in ${result.seconds} s from the first write)`,
            `commit → 200    ${formatLatency(result.latencyMs)} ms`,
            `order           ${outOfOrder} out of per-conversation order, ${repeated} repeated`,
            ...(ceiling ? [`ceiling         ${ratioLine(perSecond, ceiling)}`] : []),
            `machine         ${result.cpus} CPUs, Node ${result.node}`,
            '',
          ].join('\n'),
        );
      return seen.size < expected || outOfOrder ? 1 : 0;
    } finally {
      await relay.stop();
      await worker.stop();
    }
  } finally {
    await receiver.close();
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
