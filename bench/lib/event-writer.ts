/**
 * The message load of bench/fanout.ts: at a steady rate, messages each appending the two events a
 * reply to an existing conversation appends (core/messages/store.ts): `message.created` and `conversation.updated`, with payloads cloned from a real message and
 * conversation of the run. It writes through the engine's own appendEvents (encrypted, RLS), but
 * not the whole ingest path (that is `npm run bench -- inbound`): this benchmark measures what
 * happens after the commit (relay → realtime → every socket).
 *
 * Production mode: run in a child process with its own engine (fork this file), so the writes do
 * not share the server's event loop. Embedded: PGlite has one process, so the server's engine.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Engine } from '../../core/engine.ts';
import type { BenchStack } from './stack.ts';
import { appendEvents, type NewEvent } from '../../core/events/events.ts';

export interface WriterPlan {
  orgId: string;
  conversations: string[];
  /** Messages per second, for `seconds`. */
  rate: number;
  seconds: number;
  templates: { message: Record<string, unknown>; conversation: Record<string, unknown> };
}
export interface WriterResult {
  messages: number;
  /** Messages written per conversation (index as in plan.conversations). */
  perConversation: number[];
  seconds: number;
  failed: number;
}

// Transactions in flight; each commits the messages due since the previous one (group commit, as
// an ingest at this rate would), at most BATCH of them.
const IN_FLIGHT = 4;
const BATCH = 50;

export async function writeMessages(engine: Engine, plan: WriterPlan): Promise<WriterResult> {
  const total = Math.round(plan.rate * plan.seconds);
  const perConversation = new Array<number>(plan.conversations.length).fill(0);
  let issued = 0;
  let inFlight = 0;
  let failed = 0;
  const started = performance.now();
  const eventsOf = (n: number): NewEvent[] => {
    const conversationId = plan.conversations[n % plan.conversations.length]!;
    const now = new Date().toISOString();
    const message = { ...plan.templates.message, id: crypto.randomUUID(), conversationId, body: `Fan-out message ${n}: the sink in unit 4B is leaking again.`, createdAt: now };
    const conversation = { ...plan.templates.conversation, id: conversationId, lastMessageAt: now, updatedAt: now };
    return [
      { type: 'message.created', conversationId, subjectId: message.id, data: { message } },
      { type: 'conversation.updated', conversationId, subjectId: conversationId, data: { conversation, changes: ['lastMessageAt'] } },
    ];
  };
  const group = async (from: number, to: number) => {
    const ns = Array.from({ length: to - from }, (_, i) => from + i);
    try {
      await engine.tenant(plan.orgId, (tx) => appendEvents(tx, ns.flatMap(eventsOf)));
      for (const n of ns) perConversation[n % plan.conversations.length]++;
    } catch {
      failed += ns.length;
    }
  };
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * plan.rate));
      while (issued < due && inFlight < IN_FLIGHT) {
        const from = issued;
        issued = Math.min(due, from + BATCH);
        inFlight++;
        void group(from, issued).finally(() => {
          inFlight--;
          if (issued === total && inFlight === 0) resolve();
        });
      }
      if (issued < total) setTimeout(tick, 5);
    };
    tick();
  });
  return { messages: total - failed, perConversation, seconds: (performance.now() - started) / 1000, failed };
}

/**
 * Writes the plan: in production mode from a forked child with its own engine on the run's
 * database (same master key and Redis prefix), embedded in this process.
 */
export async function runWriter(stack: BenchStack, masterKey: string, plan: WriterPlan): Promise<WriterResult> {
  if (!stack.databaseUrl) return writeMessages(stack.engine, plan);
  const env = { DATABASE_URL: stack.databaseUrl, REDIS_URL: process.env.REDIS_URL ?? '', REDIS_PREFIX: stack.config.redisPrefix, SWITCHBOARD_DATA_DIR: stack.config.dataDir, SWITCHBOARD_MASTER_KEY: masterKey };
  const child = fork(fileURLToPath(import.meta.url), [], { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    return await new Promise<WriterResult>((resolve, reject) => {
      child.once('message', (m: { result: WriterResult }) => resolve(m.result));
      child.once('exit', (code) => reject(new Error(`the writer exited ${code}`)));
      child.send({ env, plan });
    });
  } finally {
    child.kill();
  }
}

// Forked by runWriter in production mode: {type:"write", env, plan} → {type:"written", result}.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.env.LOG_LEVEL ??= 'warn';
  process.env.SWITCHBOARD_LOG_STDERR = '1';
  process.once('message', async (msg: { env: Record<string, string>; plan: WriterPlan }) => {
    const { loadConfig } = await import('../../core/config.ts');
    const { createEngine } = await import('../../core/engine.ts');
    const engine = await createEngine(loadConfig({ ...process.env, ...msg.env }));
    const result = await writeMessages(engine, msg.plan);
    await engine.close();
    process.send!({ result });
  });
  process.on('disconnect', () => process.exit(0));
}
