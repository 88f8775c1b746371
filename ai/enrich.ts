import type { Engine } from '../core/engine.ts';
import type { TenantTx } from '../core/db/tenant.ts';
import { appendEvent } from '../core/events/events.ts';
import { notFound } from '../core/errors.ts';
import { createLogger } from '../core/logger.ts';
import { orgSettings } from '../core/org-settings.ts';
import { redactForEgress } from '../core/compliance/redaction.ts';
import { messageView, type MessageRow } from '../core/messages/views.ts';
import { createLocalProvider } from './local/provider.ts';
import { createOpenAiProvider, ProviderFailure } from './openai/provider.ts';
import { planProvider } from './plan.ts';
import { correctionsVersion, loadCorrections } from './corrections.ts';
import { TASKS, type EnrichMessage, type EnrichRequest, type ProviderResult, type Task, type Usage } from './provider.ts';
import { aiSettings } from './settings.ts';
import { addUsage, findEnrichment, markBudgetExceeded, monthOf, monthUsage, saveEnrichment, type EnrichmentRecord, type SubjectType } from './store.ts';

/**
 * One enrichment, in this order (the order is the design):
 * 1. in a tenant transaction: the conversation's messages, its version, a stored result for that
 *    version (returned as is: idempotent until a new message arrives), and the provider plan
 *    (HIPAA and budget are checked here, before any text could leave);
 * 2. outside any transaction: the provider call — safe-mode redaction first for an external one;
 *    its failure (invalid output twice, timeout, HTTP error) falls back to the local provider;
 * 3. in a tenant transaction: the sealed result, the tokens used, and the message.enriched /
 *    conversation.enriched event (ai.budget_exceeded once a month when the budget runs out).
 * Logs carry ids and codes only, never text.
 */
const log = createLogger('ai');
const local = createLocalProvider();
/** Messages a prompt carries at most (the newest). */
const MAX_MESSAGES = 50;

export interface EnrichInput {
  conversationId: string;
  /** Enrich this message (intent/sentiment/entities of it); without it, the conversation. */
  messageId?: string;
  tasks?: Task[];
  causedBy?: { ruleId: string; depth: number } | null;
}

export interface EnrichOutcome {
  record: EnrichmentRecord;
  cached: boolean;
}

export function enrichmentView(r: EnrichmentRecord, cached = false) {
  return {
    id: r.id,
    object: 'enrichment' as const,
    subject: { type: r.subjectType, id: r.subjectId },
    conversationId: r.conversationId,
    version: r.version,
    tasks: r.tasks,
    provider: r.provider,
    model: r.model,
    fallback: r.fallback,
    createdAt: r.createdAt,
    cached,
    ...r.result,
  };
}

async function loadMessages(tx: TenantTx, conversationId: string, upTo?: string): Promise<EnrichMessage[]> {
  const conv = await tx.trx('conversations').where({ id: conversationId }).first('id');
  if (!conv) throw notFound('conversation');
  const q = tx.trx('messages').where({ conversation_id: conversationId }).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(MAX_MESSAGES);
  if (upTo) {
    const target: MessageRow | undefined = await tx.trx('messages').where({ id: upTo, conversation_id: conversationId }).first();
    if (!target) throw notFound('message');
    q.where('created_at', '<=', target.created_at);
  }
  const rows: MessageRow[] = await q;
  return rows
    .reverse()
    .map((r) => messageView(r, tx.crypto))
    .filter((m) => m.body)
    .map((m) => ({ id: m.id, direction: m.direction, text: m.body! }));
}

export async function enrich(engine: Engine, orgId: string, input: EnrichInput): Promise<EnrichOutcome> {
  const tasks = TASKS.filter((t) => (input.tasks ?? TASKS).includes(t));
  const subjectType: SubjectType = input.messageId ? 'message' : 'conversation';
  const subjectId = input.messageId ?? input.conversationId;

  const prep = await engine.tenant(orgId, async (tx) => {
    const messages = await loadMessages(tx, input.conversationId, input.messageId);
    const version = input.messageId ?? messages.at(-1)?.id ?? 'empty';
    const stored = await findEnrichment(tx, subjectType, subjectId, version, tasks);
    if (stored) return { stored };
    const settings = await orgSettings(tx.trx, orgId);
    const ai = aiSettings(settings);
    const plan = await planProvider(engine, tx, settings, ai);
    if (plan.kind === 'local' && plan.fallback === 'budget_exhausted') await budgetExceeded(tx, ai.monthlyTokenBudget!);
    const corrected = await correctionsVersion(tx);
    const corrections = corrected ? { corrections: { version: corrected, load: () => engine.tenant(orgId, loadCorrections) } } : {};
    const request: EnrichRequest = { intents: ai.intents, savedReplies: ai.savedReplies, messages, tasks, ...corrections, ...(input.messageId ? { messageId: input.messageId } : {}) };
    return { version, plan, request, safeMode: settings.safeMode, budget: ai.monthlyTokenBudget };
  });
  if ('stored' in prep) return { record: prep.stored!, cached: true };

  const { plan, request } = prep;
  let result: ProviderResult;
  let fallback: string | null = plan.kind === 'local' ? plan.fallback : null;
  let usage: { usage: Usage; calls: number } | null = null;
  if (plan.kind === 'external') {
    // Safe mode: card numbers, SSNs, account numbers and the org's patterns never leave.
    const redacted = { ...request, messages: request.messages.map((m) => ({ ...m, text: redactForEgress(m.text, prep.safeMode) ?? '' })) };
    try {
      result = await createOpenAiProvider(plan.config, plan.secrets, { timeoutMs: plan.timeoutMs }).enrich(redacted);
      usage = { usage: result.usage!, calls: 1 };
    } catch (err) {
      if (!(err instanceof ProviderFailure)) throw err;
      fallback = err.reason;
      usage = { usage: err.usage, calls: err.calls };
      log.warn({ orgId, conversationId: input.conversationId, connectionId: plan.connectionId, reason: err.reason, status: err.status }, 'AI provider failed; enriched locally');
      result = await local.enrich(request);
    }
  } else result = await local.enrich(request);

  return engine.tenant(orgId, async (tx) => {
    if (usage && usage.calls) {
      await addUsage(tx, usage.usage, usage.calls);
      if (prep.budget !== null && (await monthUsage(tx)).totalTokens >= prep.budget) await budgetExceeded(tx, prep.budget);
    }
    const saved = await saveEnrichment(tx, {
      subjectType,
      subjectId,
      conversationId: input.conversationId,
      version: prep.version,
      tasks,
      provider: fallback && plan.kind === 'external' ? 'local' : plan.kind === 'external' ? 'openai' : 'local',
      model: result.model ?? null,
      connectionId: plan.kind === 'external' ? plan.connectionId : null,
      fallback,
      result: result.enrichment,
    });
    if (!saved) {
      // Another run stored this version first: its result (and its event) stand.
      return { record: (await findEnrichment(tx, subjectType, subjectId, prep.version, tasks))!, cached: true };
    }
    const view = enrichmentView(saved);
    const causedBy = input.causedBy ? { causedBy: input.causedBy } : {};
    if (subjectType === 'message') {
      await appendEvent(tx, { type: 'message.enriched', conversationId: input.conversationId, subjectId, data: { message: { id: subjectId }, enrichment: view, ...causedBy } });
    } else {
      await appendEvent(tx, { type: 'conversation.enriched', conversationId: input.conversationId, subjectId, data: { conversation: { id: subjectId }, enrichment: view, ...causedBy } });
    }
    log.info({ orgId, conversationId: input.conversationId, subjectType, subjectId, provider: saved.provider, fallback }, 'enriched');
    return { record: saved, cached: false };
  });
}

async function budgetExceeded(tx: TenantTx, budget: number): Promise<void> {
  if (!(await markBudgetExceeded(tx))) return;
  const used = (await monthUsage(tx)).totalTokens;
  await appendEvent(tx, { type: 'ai.budget_exceeded', data: { month: monthOf(), budget, used } });
  log.warn({ orgId: tx.orgId, month: monthOf(), budget, used }, 'AI token budget exhausted: external calls stop until next month');
}
