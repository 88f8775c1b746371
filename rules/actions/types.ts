import type { Engine } from '../../core/engine.ts';
import type { TenantTx } from '../../core/db/tenant.ts';
import type { ErrorDetail } from '../../core/errors.ts';
import type { CausedBy, RuleContext } from '../context.ts';

/**
 * One rule action type. Each lives in its own file in rules/actions/ and is listed once in
 * rules/actions/index.ts. The runner renders every string of the action with the context
 * (templates) before calling preview/run, so actions see final values.
 *
 * Two kinds, by how "exactly once" is reached:
 * - `transactional`: run() gets the tenant transaction in which the runner also records the
 *   action as done, so a replay can never do it twice (database writes: sends, tags, events);
 * - `external`: run() calls out (HTTP, a connector) outside any transaction and the runner records
 *   its result afterwards: at least once, so the far side should be idempotent (we pass an
 *   idempotency key).
 */
export interface ActionEnv {
  engine: Engine;
  context: RuleContext;
  rule: { id: string; name: string; version: number };
  /** What to stamp on anything the action causes (depth already incremented). */
  causedBy: CausedBy;
  /** Stable per (execution, action index): an idempotency key for the far side. */
  idempotencyKey: string;
  /** The rule's Standard Webhooks secret (whsec_…, shown on the rule): call_webhook signs with it. */
  webhookSecret: string;
}

export interface ActionOutcome {
  /** Ids and small facts for the execution log (never message content). */
  log: Record<string, unknown>;
  /** Stored encrypted and exposed to later actions as results.<as> (invoke). */
  result?: { as: string; value: unknown };
}

interface ActionBase<A> {
  type: string;
  description: string;
  /** JSON Schema of the action object (with its "type"); additionalProperties: false. */
  schema: Record<string, unknown>;
  /** Checks the schema cannot express; field paths relative to the action (e.g. "/channel"). */
  check?(action: A): ErrorDetail[];
  /** What the action would do, rendered, without side effects (the test endpoint). */
  preview(action: A, env: ActionEnv, tx: TenantTx): Promise<Record<string, unknown>>;
}

export interface TransactionalAction<A = any> extends ActionBase<A> {
  mode: 'transactional';
  run(action: A, env: ActionEnv, tx: TenantTx): Promise<ActionOutcome>;
}

export interface ExternalAction<A = any> extends ActionBase<A> {
  mode: 'external';
  run(action: A, env: ActionEnv): Promise<ActionOutcome>;
}

export type RuleAction<A = any> = TransactionalAction<A> | ExternalAction<A>;

export const templated = { type: 'string', minLength: 1, maxLength: 5000 } as const;
