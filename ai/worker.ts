import type { Engine } from '../core/engine.ts';
import type { DispatchRoute, EventJob } from '../core/events/dispatch.ts';
import type { EngineEvent } from '../core/events/events.ts';
import { AppError } from '../core/errors.ts';
import { orgSettings } from '../core/org-settings.ts';
import { PermanentFailure } from '../core/queue/queue.ts';
import { enrich } from './enrich.ts';
import { aiSettings } from './settings.ts';
import { warmUp } from './local/provider.ts';
import { startIdleSweep, type IdleJob } from './idle.ts';
import { createLogger } from '../core/logger.ts';

/**
 * AI enrichment as a consumer of the event spine: committed events → queue `ai` → this worker.
 * Never on the ingest path. Which events: an inbound message (org setting
 * ai.onInboundMessage) and a conversation that was closed (ai.onConversationClosed). Orgs that
 * switched both off make no job (sb_orgs_with_ai). Conversations gone quiet (ai.onConversationIdle)
 * come from the idle sweep, onto the same queue.
 */
export const AI_QUEUE = 'ai';
const log = createLogger('ai');

const isInbound = (e: EngineEvent) => e.type === 'message.created' && (e.data.message as { direction?: string } | undefined)?.direction === 'inbound';
const isClosed = (e: EngineEvent) =>
  e.type === 'conversation.updated' && (e.data.conversation as { status?: string } | undefined)?.status === 'closed' && ((e.data.changes as string[] | undefined) ?? []).includes('status');

export const aiDispatchRoute: DispatchRoute = {
  queue: AI_QUEUE,
  types: ['message.created', 'conversation.updated'],
  when: (e) => isInbound(e) || isClosed(e),
  orgsFn: 'sb_orgs_with_ai',
  // The job names ids only (queues hold no content).
  data: (e): EventJob & { messageId: string | null } => ({
    eventId: e.id,
    orgId: e.orgId,
    type: e.type,
    conversationId: e.conversationId,
    subjectId: e.subjectId,
    cursor: e.cursor,
    messageId: isInbound(e) ? ((e.data.message as { id?: string }).id ?? null) : null,
  }),
};

/** A job of queue `ai`: an event the route let through, or a conversation the idle sweep found (ai/idle.ts). */
export type AiJob = (EventJob & { messageId?: string | null }) | IdleJob;

export async function runAiJob(engine: Engine, job: AiJob): Promise<void> {
  if (!job.conversationId) return;
  const { ai, quiet } = await engine.tenant(job.orgId, async (tx) => ({
    ai: aiSettings(await orgSettings(tx.trx, job.orgId)),
    // Idle: nobody wrote since the sweep found it (else the next sweep decides again).
    quiet: 'idleSince' in job ? !!(await tx.trx('conversations').where({ id: job.conversationId }).whereNot('status', 'closed').where('last_message_at', '<', new Date(new Date(job.idleSince).getTime() + 1)).first('id')) : true,
  }));
  const messageId = 'messageId' in job ? job.messageId : null;
  const auto = 'idleSince' in job ? ai.onConversationIdle : messageId ? ai.onInboundMessage : ai.onConversationClosed;
  if (!quiet || !auto.enabled || !auto.tasks.length) return;
  await enrich(engine, job.orgId, { conversationId: job.conversationId, ...(messageId ? { messageId } : {}), tasks: auto.tasks });
}

/** The idle sweep (ai/idle.ts), putting its jobs on this worker's queue. */
export const startAiIdleSweep = (engine: Engine) => startIdleSweep(engine, AI_QUEUE);

export function startAiWorker(engine: Engine, opts: { concurrency?: number } = {}): { stop(): Promise<void> } {
  engine.queue.process<AiJob>(
    AI_QUEUE,
    async (job) => {
      try {
        await runAiJob(engine, job.data);
      } catch (err) {
        // A message or conversation erased since: nothing to enrich.
        if (err instanceof AppError && err.code === 'not_found') throw new PermanentFailure(err.message);
        throw err;
      }
    },
    { concurrency: opts.concurrency ?? 2 },
  );
  // Off the start path: the first message should not pay for training the local models.
  const warm = setImmediate(() => void warmUp().catch((err) => log.warn({ err }, 'local AI warm-up failed')));
  warm.unref();
  return { stop: async () => {} };
}
