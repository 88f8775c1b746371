import type { Engine } from '../core/engine.ts';
import type { DispatchRoute, EventJob } from '../core/events/dispatch.ts';
import type { EngineEvent } from '../core/events/events.ts';
import { AppError } from '../core/errors.ts';
import { orgSettings } from '../core/org-settings.ts';
import { PermanentFailure } from '../core/queue/queue.ts';
import { enrich } from './enrich.ts';
import { aiSettings } from './settings.ts';
import { warmUp } from './local/provider.ts';
import { createLogger } from '../core/logger.ts';

/**
 * AI enrichment as a consumer of the event spine: committed events → queue `ai` → this worker.
 * Never on the ingest path. Which events: an inbound message (org setting
 * ai.onInboundMessage) and a conversation that was closed (ai.onConversationClosed). Orgs that
 * switched both off make no job (sb_orgs_with_ai).
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

export async function runAiJob(engine: Engine, job: EventJob & { messageId?: string | null }): Promise<void> {
  if (!job.conversationId) return;
  const ai = aiSettings(await engine.tenant(job.orgId, (tx) => orgSettings(tx.trx, job.orgId)));
  const auto = job.messageId ? ai.onInboundMessage : ai.onConversationClosed;
  if (!auto.enabled || !auto.tasks.length) return;
  await enrich(engine, job.orgId, { conversationId: job.conversationId, ...(job.messageId ? { messageId: job.messageId } : {}), tasks: auto.tasks });
}

export function startAiWorker(engine: Engine, opts: { concurrency?: number } = {}): { stop(): Promise<void> } {
  engine.queue.process<EventJob & { messageId?: string | null }>(
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
