import type { Engine } from '../core/engine.ts';
import { createLogger } from '../core/logger.ts';
import { listOrgIds } from '../core/orgs.ts';
import { orgSettings } from '../core/org-settings.ts';
import { runEvery } from '../core/periodic.ts';
import { aiSettings } from './settings.ts';

/**
 * The idle summary (org setting ai.onConversationIdle): every minute a sweep finds the org's open
 * or snoozed conversations in which nobody has written for `minutes`, that went quiet within the
 * last day (turning the setting on does not summarize years of backlog) and that have no
 * conversation enrichment since their last message, and puts one job per conversation on the AI
 * queue. The job id names the conversation and its last message time, so sweeps by several
 * replicas (or a slow worker) make one job; the AI worker checks that nothing was written since.
 * A sweep rather than a delayed job per message: nothing is lost with the queue, and a test moves
 * the clock (`now`) instead of waiting.
 */
const log = createLogger('ai-idle');
export const IDLE_TICK_MS = 60_000;
/** Conversations queued per org per sweep: a large org catches up over a few sweeps. */
const PER_ORG = 100;
const LOOKBACK_MS = 86_400_000;

export interface IdleJob {
  orgId: string;
  conversationId: string;
  /** The conversation's last message time when it was found idle (ISO). */
  idleSince: string;
}

export async function runIdleSweep(engine: Engine, opts: { now?: Date; queue: string }): Promise<{ queued: number }> {
  const now = opts.now ?? new Date();
  let queued = 0;
  for (const orgId of await listOrgIds(engine.db)) {
    const jobs = await engine.tenant(orgId, async (tx) => {
      const idle = aiSettings(await orgSettings(tx.trx, orgId)).onConversationIdle;
      if (!idle.enabled) return [];
      const quietSince = new Date(now.getTime() - idle.minutes * 60_000);
      const rows: { id: string; last_message_at: Date | string }[] = await tx.trx('conversations as c')
        .select('c.id', 'c.last_message_at')
        .whereNot('c.status', 'closed')
        .where('c.last_message_at', '<=', quietSince)
        .where('c.last_message_at', '>', new Date(quietSince.getTime() - LOOKBACK_MS))
        .whereNotExists(
          tx.trx('ai_enrichments as e').where('e.subject_type', 'conversation').whereRaw('e.subject_id = c.id').whereRaw('e.created_at >= c.last_message_at'),
        )
        .orderBy('c.last_message_at')
        .limit(PER_ORG);
      return rows.map((r) => {
        const idleSince = new Date(r.last_message_at).toISOString();
        return { id: `ai-idle:${r.id}:${idleSince}`, name: 'conversation.idle', data: { orgId, conversationId: r.id, idleSince } satisfies IdleJob };
      });
    });
    if (jobs.length) await engine.queue.add(opts.queue, jobs);
    queued += jobs.length;
  }
  if (queued) log.info({ queued }, 'idle conversations queued for enrichment');
  return { queued };
}

export function startIdleSweep(engine: Engine, queue: string, tickMs = IDLE_TICK_MS): { stop(): Promise<void> } {
  return runEvery(() => runIdleSweep(engine, { queue }), tickMs, log, 'AI idle sweep failed');
}
