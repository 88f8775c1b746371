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
 * bench/lib/fake-twilio.ts). Outbound SMS to many recipients, round-robin over several senders
 * paced at --fast-pace (default 1000/s, the API's maximum, i.e. not the limit). Two phases on
 * one stack:
 *
 * 1. backlog: --messages are posted (C in flight) while the relay and workers are stopped: the
 *    API's accept rate alone. Behind them go --pace-seconds of traffic for each of the senders
 *    given paces (--paces, default 10,25/s). Then the relay and workers start and the backlog
 *    drains through the send job: sends/s = messages / (workers start → last provider receipt),
 *    the send path's own throughput (relay dispatch → send job → SDK → provider), the goal's
 *    figure. The paced messages drain after them (the queue is FIFO), each sender at its pace:
 *    its achieved rate at the provider is printed against the configured one (±5 %). Queuing
 *    them first keeps the API's accept rate out of the pace.
 * 2. live: --live more messages posted with everything running: end-to-end sends/s (first
 *    request → last provider receipt) and the latency to the provider receiving each request,
 *    from the API's 201 (negative when the send beat the response to the client) and from the
 *    request's start.
 *
 *   npm run bench -- outbound [--messages 3000] [--live 1000] [--concurrency 32] [--senders 4]
 *
 * Embedded by default; production mode (a fresh database, BullMQ on Redis) with DATABASE_URL and
 * REDIS_URL set. SEND_CONCURRENCY (send jobs in flight per process) is read as the engine reads it.
 */
const HELP = `Usage: npm run bench -- outbound [options]
  --messages      backlog phase: messages queued, then drained by the send job (default 3000; env BENCH_MESSAGES)
  --live          live phase: messages posted with the workers running (default 1000; 0 skips)
  --concurrency   API requests in flight (default 32; env BENCH_CONCURRENCY)
  --senders       sender numbers sharing the throughput phases (default 4)
  --fast-pace     their configured pace, messages/s each (default 1000, the API's maximum)
  --recipients    distinct recipients (default 1000)
  --paces         paced senders, queued behind the backlog: one per pace, messages/s, comma-separated (default 10,25; "" none)
  --pace-seconds  seconds of traffic per paced sender (default 8)
  --json          print the result as one JSON line
  --no-ceiling    skip measuring the database's raw insert ceiling
Production mode when DATABASE_URL (and REDIS_URL) are set.`;

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string' },
    live: { type: 'string' },
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
function positive(name: string, raw: string | undefined, dflt: number, opts: { integer?: boolean; zero?: boolean } = {}): number {
  if (raw === undefined) return dflt;
  const n = Number(raw);
  const integer = opts.integer ?? true;
  if (!(n > 0 || (opts.zero && n === 0)) || (integer && !Number.isInteger(n))) {
    process.stderr.write(`--${name} must be a positive ${integer ? 'integer' : 'number'} (got "${raw}")\n${HELP}\n`);
    process.exit(2);
  }
  return n;
}
const total = positive('messages', args.messages ?? process.env.BENCH_MESSAGES, 3000);
const liveTotal = positive('live', args.live, 1000, { zero: true });
const concurrency = positive('concurrency', args.concurrency ?? process.env.BENCH_CONCURRENCY, 32);
const senderCount = positive('senders', args.senders, 4);
const fastPace = positive('fast-pace', args['fast-pace'], 1000, { integer: false });
const recipientCount = positive('recipients', args.recipients, 1000);
const paces = (args.paces ?? '10,25').split(',').filter(Boolean).map((p) => positive('paces', p, 0, { integer: false }));
const paceSeconds = positive('pace-seconds', args['pace-seconds'], 8, { integer: false });

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
  // Workers stopped at first: phase 1 builds its backlog before they start.
  const stack = await startStack({ TWILIO_API_BASE_URL: fake.url }, { background: false });
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
    const items = (prefix: string, n: number, from: string[], offset = 0) =>
      Array.from({ length: n }, (_, i) => ({ tag: `${prefix}${i}`, from: from[i % from.length]!, to: recipient((offset + i) % recipientCount) }));

    /** Posts messages with C in flight; returns each tag's accept time (epoch ms) and the API latencies. */
    async function post(list: { tag: string; from: string; to: string }[]) {
      const accepted = new Map<string, number>();
      const requested = new Map<string, number>();
      const apiMs: number[] = [];
      let next = 0;
      let errors = 0;
      let firstError: string | undefined;
      const t0 = nowMs();
      await Promise.all(
        Array.from({ length: Math.min(concurrency, list.length) }, async () => {
          while (next < list.length) {
            const it = list[next++]!;
            const t = performance.now();
            requested.set(it.tag, nowMs());
            const r = await send(it.tag, it.from, it.to).catch((e: Error) => ({ status: 0, json: { error: e.message } }));
            apiMs.push(performance.now() - t);
            if (r.status === 201) accepted.set(it.tag, nowMs());
            else {
              errors++;
              firstError ??= `${r.status} ${JSON.stringify(r.json)}`;
            }
          }
        }),
      );
      if (firstError) say(`first refusal: ${firstError}`);
      const seconds = (nowMs() - t0) / 1000;
      return { accepted, requested, apiMs, errors, perSecond: round1(accepted.size / seconds), latencyMs: latency(apiMs) };
    }

    /** The provider's receipts of these tags, waiting until all of them arrived (or the timeout). */
    async function receiptsOf(tags: Set<string>, timeoutMs: number): Promise<Receipt[]> {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const mine = (await fake.receipts()).filter((r) => tags.has(tagOf(r.body) ?? ''));
        if (mine.length >= tags.size || Date.now() > until) return mine;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const span = (rs: Receipt[]) => ({ first: Math.min(...rs.map((r) => r.at)), last: Math.max(...rs.map((r) => r.at)) });

    // Warm-up of the API (JIT, pools), not measured; these messages join the backlog.
    const warm = await post(items('w', Math.min(100, Math.ceil(total / 10)), fast, 5000));

    // Phase 1: backlog, then the send job drains it. The paced senders' messages are queued last
    // (the queue is FIFO), so they drain after the throughput messages, at their own paces.
    say(`Backlog: posting ${total} outbound SMS, ${concurrency} in flight, ${senderCount} senders at ${fastPace}/s, ${recipientCount} recipients, workers stopped (${config.mode} mode)…`);
    const b = await post(items('b', total, fast));
    const pacedItems = paced.flatMap((from, s) => items(`p${s}x`, Math.round(paces[s]! * paceSeconds), [from], s * 1000));
    if (paced.length) say(`…and ${pacedItems.length} for ${paced.length} senders paced at ${paces.join(', ')}/s (${paceSeconds} s of traffic each)`);
    const p = await post(pacedItems);
    const throughputTags = new Set([...warm.accepted.keys(), ...b.accepted.keys()]);
    const backlog = new Set([...throughputTags, ...p.accepted.keys()]);
    const cpu0 = process.cpuUsage();
    const workersAt = nowMs();
    await stack.startBackground();
    say(`Draining ${backlog.size} queued messages through the send job…`);
    const allReceipts = await receiptsOf(backlog, 180_000 + paceSeconds * 1000);
    const bReceipts = allReceipts.filter((r) => throughputTags.has(tagOf(r.body)!));
    const cpu = process.cpuUsage(cpu0);
    const drainEnd = span(bReceipts).last;
    const drainPerSecond = round1(bReceipts.length / ((drainEnd - workersAt) / 1000));
    // CPU over the whole drain (paced sends included) per send.
    const cpuMsPerSend = round1((cpu.user + cpu.system) / 1000 / Math.max(1, allReceipts.length));

    // Each paced sender's achieved rate at the provider: n sends at an even pace span n-1 intervals.
    const pacing: PacedResult[] = paced.map((from, s) => {
      const at = allReceipts.filter((r) => r.from === from).map((r) => r.at).sort((x, y) => x - y);
      const achieved = at.length > 1 ? (at.length - 1) / ((at.at(-1)! - at[0]!) / 1000) : NaN;
      const deviationPct = round1(((achieved - paces[s]!) / paces[s]!) * 100);
      return { sender: from, configured: paces[s]!, achieved: round1(achieved), messages: at.length, deviationPct, withinFivePct: Math.abs(deviationPct) <= 5 };
    });

    // Phase 2: live, everything running.
    let live:
      | { posted: number; refused: number; sent: number; acceptPerSecond: number; sendsPerSecond: number; acceptToProviderMs: Latency; requestToProviderMs: Latency }
      | undefined;
    if (liveTotal) {
      say(`Live: posting ${liveTotal} more with the workers running…`);
      const started = nowMs();
      const l = await post(items('l', liveTotal, fast, total));
      const lReceipts = await receiptsOf(new Set(l.accepted.keys()), 120_000);
      live = {
        posted: liveTotal,
        refused: l.errors,
        sent: lReceipts.length,
        acceptPerSecond: l.perSecond,
        sendsPerSecond: round1(lReceipts.length / ((span(lReceipts).last - started) / 1000)),
        // From the 201 the client read: negative when the send job reached the provider before the
        // response reached the client (the commit precedes both). And from the request's start.
        acceptToProviderMs: latency(lReceipts.map((r) => r.at - l.accepted.get(tagOf(r.body)!)!)),
        requestToProviderMs: latency(lReceipts.map((r) => r.at - l.requested.get(tagOf(r.body)!)!)),
      };
    }

    const ceiling = args['no-ceiling'] ? undefined : await measureCeiling(stack.databaseUrl);
    const result = {
      benchmark: 'outbound',
      mode: config.mode,
      database: engine.db.kind,
      queue: engine.queue.kind,
      sendConcurrency: config.sendConcurrency,
      messages: total,
      concurrency,
      senders: senderCount,
      fastPace,
      recipients: recipientCount,
      refused: b.errors,
      acceptPerSecond: b.perSecond,
      apiLatencyMs: b.latencyMs,
      drained: bReceipts.length,
      queued: throughputTags.size,
      sendsPerSecond: drainPerSecond,
      drainSeconds: round1((drainEnd - workersAt) / 1000),
      cpuMsPerSend,
      live,
      pacing,
      ceiling,
      ratio: ceiling ? Math.round((drainPerSecond / ceiling.tps) * 1000) / 1000 : undefined,
      cpus: os.cpus().length,
      node: process.version,
    };
    if (args.json) process.stdout.write(JSON.stringify(result) + '\n');
    else {
      process.stdout.write(
        [
          `mode            ${result.mode} (database ${result.database}, queue ${result.queue}), SEND_CONCURRENCY ${result.sendConcurrency}`,
          `senders         ${senderCount} at ${fastPace}/s, ${recipientCount} recipients, API concurrency ${concurrency}`,
          `accepted        ${b.perSecond} messages/s (POST /v1/messages → 201, workers stopped; ${b.errors} refused), latency (ms) ${formatLatency(b.latencyMs)}`,
          `send job        ${drainPerSecond} sends/s: ${bReceipts.length}/${throughputTags.size} queued messages reached the provider in ${result.drainSeconds} s; ${cpuMsPerSend} ms CPU per send (this process)`,
          ...(live
            ? [
                `live            ${live.sendsPerSecond} sends/s end to end (${live.sent}/${live.posted} sent, accepted at ${live.acceptPerSecond}/s)`,
                `201→provider    (ms) ${formatLatency(live.acceptToProviderMs)}`,
                `request→provider (ms) ${formatLatency(live.requestToProviderMs)}`,
              ]
            : []),
          ...pacing.map((r) => `pace            ${r.sender}: ${r.achieved}/s achieved vs ${r.configured}/s configured (${r.deviationPct > 0 ? '+' : ''}${r.deviationPct} %, ${r.messages} sends) ${r.withinFivePct ? 'within ±5 %' : 'OUTSIDE ±5 %'}`),
          ...(ceiling ? [`ceiling         ${ratioLine(drainPerSecond, ceiling)}`] : []),
          `machine         ${result.cpus} CPUs, Node ${result.node}`,
          '',
        ].join('\n'),
      );
    }
    const lost = allReceipts.length < backlog.size || (live && live.sent < live.posted - live.refused);
    return b.errors || p.errors || lost || pacing.some((r) => !r.withinFivePct) ? 1 : 0;
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
