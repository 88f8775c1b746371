// bench: POST /v1/messages (outbound SMS) → send job → the official Twilio SDK → a local fake Twilio; sends/s and per-sender pace
import os from 'node:os';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { measureCeiling, ratioLine } from './lib/ceiling.ts';
import { startFakeTwilio, type Receipt } from './lib/fake-twilio.ts';
import { startStack } from './lib/stack.ts';
import { formatLatency, latency, round1, type Latency } from './lib/stats.ts';

/**
 * Outbound throughput through the send job, with a real (non-sandbox) Twilio connection whose
 * SDK calls go to a local server answering like Twilio's Messages API (TWILIO_API_BASE_URL, see
 * bench/lib/fake-twilio.ts). Two phases on one stack:
 *
 * 1. throughput: N outbound SMS to many recipients, round-robin over several senders paced at
 *    --fast-pace (default 1000/s, the API's maximum, i.e. not the limit), C requests in flight.
 *    Prints the API's accept rate, end-to-end sends/s (first request → last provider receipt)
 *    and the latency from the API's 201 to the provider receiving the request.
 * 2. pacing: senders with configured paces (--paces, default 10,25/s), --pace-seconds of
 *    traffic each posted at once; the achieved rate of each (receipts at the provider) against
 *    its pace, within ±5 % or not.
 *
 *   npm run bench -- outbound [--messages 2000] [--concurrency 32] [--senders 4] [--recipients 1000]
 *
 * Embedded by default; production mode (a fresh database, BullMQ on Redis) with DATABASE_URL and
 * REDIS_URL set.
 */
const HELP = `Usage: npm run bench -- outbound [options]
  --messages      outbound messages in the throughput phase (default 2000; env BENCH_MESSAGES)
  --concurrency   API requests in flight (default 32; env BENCH_CONCURRENCY)
  --senders       sender numbers sharing the throughput phase (default 4)
  --fast-pace     their configured pace, messages/s each (default 1000, the API's maximum)
  --recipients    distinct recipients (default 1000)
  --paces         pacing phase: one sender per pace, comma-separated messages/s (default 10,25; "" skips)
  --pace-seconds  seconds of traffic per paced sender (default 8)
  --json          print the result as one JSON line
  --no-ceiling    skip measuring the database's raw insert ceiling
Production mode when DATABASE_URL (and REDIS_URL) are set.`;

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string' },
    concurrency: { type: 'string' },
    senders: { type: 'string' },
    'fast-pace': { type: 'string' },
    recipients: { type: 'string' },
    paces: { type: 'string' },
    'pace-seconds': { type: 'string' },
    json: { type: 'boolean' },
    'no-ceiling': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  process.stdout.write(HELP + '\n');
  process.exit(0);
}
function positive(name: string, raw: string | undefined, dflt: number, integer = true): number {
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!(n > 0) || (integer && !Number.isInteger(n))) {
    process.stderr.write(`--${name} must be a positive ${integer ? 'integer' : 'number'} (got "${raw}")\n${HELP}\n`);
    process.exit(2);
  }
  return n;
}
const total = positive('messages', args.messages ?? process.env.BENCH_MESSAGES, 2000);
const concurrency = positive('concurrency', args.concurrency ?? process.env.BENCH_CONCURRENCY, 32);
const senderCount = positive('senders', args.senders, 4);
const fastPace = positive('fast-pace', args['fast-pace'], 1000, false);
const recipientCount = positive('recipients', args.recipients, 1000);
const paces = (args.paces ?? '10,25').split(',').filter(Boolean).map((p) => positive('paces', p, 0, false));
const paceSeconds = positive('pace-seconds', args['pace-seconds'], 8, false);

const ACCOUNT_SID = 'AC' + 'b0'.repeat(16);
const say = (line: string) => process.stderr.write(line + '\n');
const nowMs = () => performance.timeOrigin + performance.now();
// 10DLC-approved US long codes (the preflight refuses unregistered ones), +1 415 555 01xx.
const number = (i: number) => `+1415555${String(100 + i).padStart(4, '0')}`;
const recipient = (i: number) => `+1628555${String(i % 10_000).padStart(4, '0')}`;
const tagOf = (body: string) => /\[bench (\w+)\]/.exec(body)?.[1];

interface PacedResult {
  sender: string;
  configured: number;
  achieved: number;
  messages: number;
  deviationPct: number;
  withinFivePct: boolean;
}

async function main() {
  const fake = await startFakeTwilio();
  const stack = await startStack({ TWILIO_API_BASE_URL: fake.url });
  const { config, engine, api } = stack;
  try {
    const must = async (method: string, p: string, body: unknown, status = 201) => {
      const r = await api(method, p, body);
      if (r.status !== status) throw new Error(`${method} ${p} answered ${r.status}: ${JSON.stringify(r.json)}`);
      return r.json;
    };
    const fast = Array.from({ length: senderCount }, (_, i) => number(i));
    const paced = paces.map((_, i) => number(senderCount + i));
    const connection = await must('POST', '/v1/connections', {
      connector: 'twilio',
      name: 'Twilio (fake provider)',
      wire: false,
      sandbox: false,
      config: { accountSid: ACCOUNT_SID, fromNumbers: [...fast, ...paced] },
      secrets: { authToken: 'bench-auth-token' },
    });
    const addSender = (address: string, messagesPerSecond: number) =>
      must('POST', `/v1/connections/${connection.id}/senders`, { channel: 'sms', address, registrationStatus: 'approved', brandId: 'BNBENCH', campaignId: 'CMBENCH', messagesPerSecond });
    for (const a of fast) await addSender(a, fastPace);
    for (const [i, a] of paced.entries()) await addSender(a, paces[i]!);

    const send = (tag: string, from: string, to: string) =>
      api('POST', '/v1/messages', { channel: 'sms', to: { handle: { kind: 'phone', value: to } }, from: { address: from }, body: `Your technician is on the way [bench ${tag}]` });

    /** Posts messages with C in flight; returns each tag's accept time (epoch ms) and the API latencies. */
    async function post(items: { tag: string; from: string; to: string }[]) {
      const accepted = new Map<string, number>();
      const apiMs: number[] = [];
      let next = 0;
      let errors = 0;
      let firstError: string | undefined;
      await Promise.all(
        Array.from({ length: Math.min(concurrency, items.length) }, async () => {
          while (next < items.length) {
            const it = items[next++]!;
            const t0 = performance.now();
            const r = await send(it.tag, it.from, it.to).catch((e: Error) => ({ status: 0, json: { error: e.message } }));
            apiMs.push(performance.now() - t0);
            if (r.status === 201) accepted.set(it.tag, nowMs());
            else {
              errors++;
              firstError ??= `${r.status} ${JSON.stringify(r.json)}`;
            }
          }
        }),
      );
      if (firstError) say(`first refusal: ${firstError}`);
      return { accepted, apiMs, errors };
    }

    async function receiptsOf(tags: Set<string>, timeoutMs: number): Promise<Receipt[]> {
      const until = Date.now() + timeoutMs;
      let mine: Receipt[] = [];
      for (;;) {
        mine = (await fake.receipts()).filter((r) => tags.has(tagOf(r.body) ?? ''));
        if (mine.length >= tags.size || Date.now() > until) return mine;
        await new Promise((r) => setTimeout(r, 200));
      }
    }

    // Warm-up (JIT, pools, the Twilio client's sockets), not measured.
    const warm = Array.from({ length: Math.min(100, Math.ceil(total / 10)) }, (_, i) => ({ tag: `w${i}`, from: fast[i % fast.length]!, to: recipient(i) }));
    const w = await post(warm);
    await receiptsOf(new Set(w.accepted.keys()), 30_000);

    // Phase 1: throughput.
    say(`Posting ${total} outbound SMS, ${concurrency} in flight, ${senderCount} senders at ${fastPace}/s, ${recipientCount} recipients (${config.mode} mode)…`);
    const items = Array.from({ length: total }, (_, i) => ({ tag: `t${i}`, from: fast[i % fast.length]!, to: recipient(i % recipientCount) }));
    const started = nowMs();
    const t = await post(items);
    const postedAt = nowMs();
    const tReceipts = await receiptsOf(new Set(t.accepted.keys()), 120_000);
    const lastReceipt = Math.max(...tReceipts.map((r) => r.at));
    const firstReceipt = Math.min(...tReceipts.map((r) => r.at));
    const sent = tReceipts.length;
    const acceptPerSecond = round1(t.accepted.size / ((postedAt - started) / 1000));
    const sendsPerSecond = round1(sent / ((lastReceipt - started) / 1000));
    const providerWindowPerSecond = round1(sent / ((lastReceipt - firstReceipt) / 1000));
    const toProvider = tReceipts.map((r) => r.at - t.accepted.get(tagOf(r.body)!)!);

    // Phase 2: pacing (each paced sender's traffic posted at once; the send job keeps the pace).
    const pacedResults: PacedResult[] = [];
    if (paced.length) {
      const pItems = paced.flatMap((from, s) => Array.from({ length: Math.round(paces[s]! * paceSeconds) }, (_, i) => ({ tag: `p${s}x${i}`, from, to: recipient(s * 1000 + i) })));
      pItems.sort((a, b) => a.tag.localeCompare(b.tag)); // interleave nothing special: per-sender order is irrelevant to the pace
      say(`Pacing: ${paced.length} senders at ${paces.join(', ')}/s, ${paceSeconds} s of traffic each…`);
      const p = await post(pItems);
      const pReceipts = await receiptsOf(new Set(p.accepted.keys()), (paceSeconds + 60) * 1000);
      for (const [s, from] of paced.entries()) {
        const at = pReceipts.filter((r) => r.from === from).map((r) => r.at).sort((a, b) => a - b);
        // n sends at an even pace span n-1 intervals.
        const achieved = at.length > 1 ? (at.length - 1) / ((at.at(-1)! - at[0]!) / 1000) : NaN;
        const deviationPct = round1(((achieved - paces[s]!) / paces[s]!) * 100);
        pacedResults.push({ sender: from, configured: paces[s]!, achieved: round1(achieved), messages: at.length, deviationPct, withinFivePct: Math.abs(deviationPct) <= 5 });
      }
    }

    const ceiling = args['no-ceiling'] ? undefined : await measureCeiling(stack.databaseUrl);
    const result = {
      benchmark: 'outbound',
      mode: config.mode,
      database: engine.db.kind,
      queue: engine.queue.kind,
      messages: total,
      concurrency,
      senders: senderCount,
      fastPace,
      recipients: recipientCount,
      refused: t.errors,
      sent,
      acceptPerSecond,
      sendsPerSecond,
      providerWindowPerSecond,
      seconds: round1((lastReceipt - started) / 1000),
      apiLatencyMs: latency(t.apiMs),
      acceptToProviderMs: latency(toProvider) as Latency,
      pacing: pacedResults,
      ceiling,
      ratio: ceiling ? Math.round((sendsPerSecond / ceiling.tps) * 1000) / 1000 : undefined,
      cpus: os.cpus().length,
      node: process.version,
    };
    if (args.json) process.stdout.write(JSON.stringify(result) + '\n');
    else {
      process.stdout.write(
        [
          `mode            ${result.mode} (database ${result.database}, queue ${result.queue})`,
          `messages        ${total} (${t.errors} refused, ${sent} reached the provider), concurrency ${concurrency}, ${senderCount} senders at ${fastPace}/s, ${recipientCount} recipients`,
          `accepted        ${acceptPerSecond} messages/s (POST /v1/messages → 201), latency (ms) ${formatLatency(result.apiLatencyMs)}`,
          `sent            ${sendsPerSecond} sends/s end to end over ${result.seconds} s (${providerWindowPerSecond}/s between the first and last provider request)`,
          `accept→provider (ms) ${formatLatency(result.acceptToProviderMs)}`,
          ...pacedResults.map((r) => `pace            ${r.sender}: ${r.achieved}/s achieved vs ${r.configured}/s configured (${r.deviationPct > 0 ? '+' : ''}${r.deviationPct} %, ${r.messages} sends) ${r.withinFivePct ? 'within ±5 %' : 'OUTSIDE ±5 %'}`),
          ...(ceiling ? [`ceiling         ${ratioLine(sendsPerSecond, ceiling)}`] : []),
          `machine         ${result.cpus} CPUs, Node ${result.node}`,
          '',
        ].join('\n'),
      );
    }
    return t.errors || sent < t.accepted.size || pacedResults.some((r) => !r.withinFivePct) ? 1 : 0;
  } finally {
    await stack.close();
    await fake.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
