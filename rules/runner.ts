import type { Engine } from '../core/engine.ts';
import type { TenantTx } from '../core/db/tenant.ts';
import { findEvent, type EngineEvent } from '../core/events/events.ts';
import type { DispatchRoute, EventJob } from '../core/events/dispatch.ts';
import { AppError, notFound } from '../core/errors.ts';
import { createLogger } from '../core/logger.ts';
import { PermanentFailure } from '../core/queue/queue.ts';
import { actionRegistry, type ActionEnv } from './actions/index.ts';
import { buildContext, triggersOf, type RuleContext } from './context.ts';
import { claimExecution, lockExecution, resultsOf, saveExecution, type ActionLog, type ExecutionRow } from './executions.ts';
import { evaluate } from './operators.ts';
import { ruleWebhookSecret, rulesFor, type RuleRow } from './store.ts';
import { renderDeep } from './templates.ts';

const log = createLogger('rules');

/** Events a rule caused carry causedBy.depth; a rule never reacts to an event at this depth or deeper. */
export const MAX_DEPTH = 3;
export const RULES_QUEUE = 'rules';

/** Every event of an org with rules may trigger them (external event types included). */
export const rulesDispatchRoute: DispatchRoute = { queue: RULES_QUEUE, orgsFn: 'sb_orgs_with_rules' };

/** The org's event a job or a test names; 404 when it no longer exists. */
export async function loadEvent(tx: TenantTx, eventId: string): Promise<EngineEvent> {
  const found = await findEvent(tx, eventId);
  if (!found) throw notFound(`event: ${eventId}`);
  return found.event;
}

/** Errors that a retry cannot fix (bad input, no channel, a 4xx from a webhook): recorded, not retried. */
const permanent = (err: unknown) => err instanceof AppError && err.status < 500;

function envOf(engine: Engine, tx: TenantTx, rule: RuleRow, ctx: RuleContext, executionId: string, index: number): ActionEnv {
  return {
    engine,
    context: ctx,
    rule: { id: rule.id, name: rule.name, version: rule.version },
    causedBy: { ruleId: rule.id, depth: (ctx.causedBy?.depth ?? 0) + 1 },
    idempotencyKey: `rule_${executionId}_${index}`,
    webhookSecret: ruleWebhookSecret(tx, rule.id),
  };
}

/**
 * Runs every enabled rule of the event's org whose trigger matches, in priority order; a matched
 * rule with stopAfter ends the pass. Safe to run any number of times for one event: each rule's
 * execution row says what is already done (see runRule).
 */
export async function runRulesForEvent(engine: Engine, orgId: string, eventId: string): Promise<void> {
  const loaded = await engine.tenant(orgId, async (tx) => {
    const event = await loadEvent(tx, eventId);
    const rules = await rulesFor(tx, triggersOf(event));
    if (!rules.length) return null;
    return { event, rules, context: await buildContext(tx, event) };
  });
  if (!loaded) return;
  for (const rule of loaded.rules) {
    const decision = await runRule(engine, rule, loaded.event, loaded.context);
    if (decision === 'matched' && rule.definition.stopAfter) break;
  }
}

async function runRule(engine: Engine, rule: RuleRow, event: EngineEvent, base: RuleContext): Promise<string | null> {
  const orgId = base.org.id;
  const depth = base.causedBy?.depth ?? 0;
  const start = await engine.tenant(orgId, async (tx) => {
    const exec = await claimExecution(tx, { ruleId: rule.id, version: rule.version, eventId: event.id, eventType: event.type, depth });
    if (exec.status !== 'running') return { exec, done: true };
    if (depth >= MAX_DEPTH) {
      log.warn({ orgId, ruleId: rule.id, eventId: event.id, depth }, 'loop_stopped');
      await saveExecution(tx, exec, { decision: 'loop_stopped', status: 'completed', error: `stopped: the event was caused by rules ${depth} levels deep (limit ${MAX_DEPTH})` });
      return { exec: { ...exec, decision: 'loop_stopped' as const }, done: true };
    }
    // The decision is taken once: a retry must not flip it because the clock moved past business hours.
    let decision = exec.decision;
    if (!decision) {
      decision = evaluate(rule.definition.condition, base).matched ? 'matched' : 'not_matched';
      await saveExecution(tx, exec, { decision, attempts: exec.attempts + 1, ...(decision === 'matched' ? {} : { status: 'completed' }) });
    } else await saveExecution(tx, exec, { attempts: exec.attempts + 1 });
    return { exec: { ...exec, decision }, done: decision !== 'matched', results: resultsOf(tx, exec) };
  });
  if (start.done) return start.exec.decision;
  const exec = start.exec;
  const ctx: RuleContext = { ...base, results: { ...start.results } };
  for (const [index, raw] of rule.definition.actions.entries()) {
    const def = actionRegistry.get(raw.type)!;
    try {
      await runAction(engine, rule, exec, ctx, index, def, raw);
    } catch (err) {
      const message = (err as Error).message;
      await engine.tenant(orgId, async (tx) => {
        const row = await lockExecution(tx, exec.id);
        const entry: ActionLog = { index, type: raw.type, status: 'failed', at: new Date().toISOString(), error: message };
        await saveExecution(tx, row, { actions: [...row.actions.filter((a) => a.index !== index), entry], error: message, ...(permanent(err) ? { status: 'failed' } : {}) });
      });
      log.warn({ orgId, ruleId: rule.id, eventId: event.id, action: index, type: raw.type, permanent: permanent(err) }, 'rule action failed');
      if (permanent(err)) return 'matched';
      throw err;
    }
  }
  await engine.tenant(orgId, async (tx) => saveExecution(tx, await lockExecution(tx, exec.id), { status: 'completed', error: null }));
  log.info({ orgId, ruleId: rule.id, version: rule.version, eventId: event.id }, 'rule executed');
  return 'matched';
}

/**
 * One action, exactly once per execution for transactional ones: the execution row is locked,
 * the action skipped if its log says done, else run and logged in the same transaction.
 */
async function runAction(engine: Engine, rule: RuleRow, exec: ExecutionRow, ctx: RuleContext, index: number, def: NonNullable<ReturnType<typeof actionRegistry.get>>, raw: RuleRow['definition']['actions'][number]) {
  const orgId = ctx.org.id;
  const action = renderDeep(raw, ctx);
  const record = async (tx: TenantTx, row: ExecutionRow, outcome: Awaited<ReturnType<typeof def.run>>) => {
    // The action's own log first: its keys (close_conversation's conversation status …) must never
    // replace the runner's, or a replay would not see 'done' and run the action again.
    const entry: ActionLog = { ...outcome.log, index, type: raw.type, status: 'done', at: new Date().toISOString() };
    const results = outcome.result ? { ...resultsOf(tx, row), [outcome.result.as]: outcome.result.value } : undefined;
    await saveExecution(tx, row, { actions: [...row.actions.filter((a) => a.index !== index), entry], ...(results ? { results } : {}) });
    if (outcome.result) ctx.results[outcome.result.as] = outcome.result.value;
  };
  const alreadyDone = (row: ExecutionRow) => row.actions.some((a) => a.index === index && a.status === 'done');
  if (def.mode === 'transactional') {
    await engine.tenant(orgId, async (tx) => {
      const row = await lockExecution(tx, exec.id);
      if (alreadyDone(row)) return;
      await record(tx, row, await def.run(action, envOf(engine, tx, rule, ctx, exec.id, index), tx));
    });
    return;
  }
  const env = await engine.tenant(orgId, async (tx) => (alreadyDone(await lockExecution(tx, exec.id)) ? null : envOf(engine, tx, rule, ctx, exec.id, index)));
  if (!env) return;
  const outcome = await def.run(action, env);
  await engine.tenant(orgId, async (tx) => {
    const row = await lockExecution(tx, exec.id);
    if (!alreadyDone(row)) await record(tx, row, outcome);
  });
}

/** The dry run behind POST /v1/rules/{id}/test: evaluate and preview every action, writing nothing. */
export async function testRule(engine: Engine, tx: TenantTx, rule: RuleRow, event: EngineEvent) {
  const ctx = await buildContext(tx, event);
  const triggers = triggersOf(event);
  const { result, matched } = evaluate(rule.definition.condition, ctx);
  const actions = [];
  if (matched) {
    for (const [index, raw] of rule.definition.actions.entries()) {
      const def = actionRegistry.get(raw.type)!;
      const action = renderDeep(raw, ctx);
      try {
        actions.push({ type: raw.type, would: await def.preview(action, envOf(engine, tx, rule, ctx, 'test', index), tx) });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        actions.push({ type: raw.type, error: { code: err.code, message: err.message } });
      }
    }
  }
  return { matched, triggerMatches: triggers.includes(rule.trigger), condition: { result }, actions, context: { ...ctx, results: undefined } };
}

export interface RulesWorker {
  stop(): Promise<void>;
}

/** Starts the rules queue's handler (the API server in embedded mode, workers in production). */
export function startRulesWorker(engine: Engine, opts: { concurrency?: number } = {}): RulesWorker {
  engine.queue.process<EventJob>(
    RULES_QUEUE,
    async (job) => {
      try {
        await runRulesForEvent(engine, job.data.orgId, job.data.eventId);
      } catch (err) {
        if (err instanceof AppError && err.code === 'not_found') throw new PermanentFailure(err.message);
        throw err;
      }
    },
    { concurrency: opts.concurrency ?? 4 },
  );
  return { stop: async () => {} };
}
