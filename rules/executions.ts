import { v7 as uuidv7 } from 'uuid';
import type { TenantTx } from '../core/db/tenant.ts';
import { applyPage, decodePageCursor, pageKeyColumn, pageOf, type Page } from '../core/identity/pagination.ts';
import { findRuleRow } from './store.ts';

/**
 * rule_executions: one row per (rule, version, event). The per-action log (`actions`) records
 * what is done; results of invoke actions are kept encrypted (they may carry customer data) so a
 * retried run gives later actions the same values without calling the connector again.
 */
export type Decision = 'matched' | 'not_matched' | 'loop_stopped';
export interface ActionLog {
  index: number;
  type: string;
  status: 'done' | 'failed';
  at: string;
  [k: string]: unknown;
}

export interface ExecutionRow {
  id: string;
  rule_id: string;
  rule_version: number;
  event_id: string;
  event_type: string;
  depth: number;
  decision: Decision | null;
  status: 'running' | 'completed' | 'failed';
  actions: ActionLog[];
  results_enc: Buffer | Uint8Array | null;
  error: string | null;
  attempts: number;
  created_at: Date | string;
  updated_at: Date | string;
}

/** The execution row of (rule, version, event), created on first sight and locked for this transaction. */
export async function claimExecution(tx: TenantTx, key: { ruleId: string; version: number; eventId: string; eventType: string; depth: number }): Promise<ExecutionRow> {
  await tx.trx.raw(
    `INSERT INTO rule_executions (id, org_id, rule_id, rule_version, event_id, event_type, depth) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (rule_id, rule_version, event_id) DO NOTHING`,
    [uuidv7(), tx.orgId, key.ruleId, key.version, key.eventId, key.eventType, key.depth],
  );
  return tx.trx('rule_executions').where({ rule_id: key.ruleId, rule_version: key.version, event_id: key.eventId }).forUpdate().first();
}

export const lockExecution = (tx: TenantTx, id: string): Promise<ExecutionRow> => tx.trx('rule_executions').where({ id }).forUpdate().first();

export function resultsOf(tx: TenantTx, row: ExecutionRow): Record<string, unknown> {
  return row.results_enc ? (tx.crypto.decryptJson<Record<string, unknown>>(row.id, 'results', Buffer.from(row.results_enc)) ?? {}) : {};
}

export async function saveExecution(
  tx: TenantTx,
  row: ExecutionRow,
  change: Partial<Pick<ExecutionRow, 'decision' | 'status' | 'actions' | 'error' | 'attempts'>> & { results?: Record<string, unknown> },
): Promise<void> {
  const { results, actions, ...rest } = change;
  await tx.trx('rule_executions')
    .where({ id: row.id })
    .update({
      ...rest,
      ...(actions ? { actions: JSON.stringify(actions) } : {}),
      ...(results ? { results_enc: tx.crypto.encryptJson(row.id, 'results', results) } : {}),
      updated_at: tx.trx.fn.now(),
    })
    .returning('id');
}

const iso = (d: Date | string) => new Date(d).toISOString();

export function executionView(r: ExecutionRow) {
  return {
    id: r.id,
    object: 'rule_execution',
    ruleId: r.rule_id,
    ruleVersion: r.rule_version,
    eventId: r.event_id,
    eventType: r.event_type,
    depth: r.depth,
    decision: r.decision,
    status: r.status,
    actions: r.actions,
    error: r.error,
    attempts: r.attempts,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export async function listExecutions(tx: TenantTx, ruleId: string, q: { cursor?: string; limit?: number }): Promise<Page<ReturnType<typeof executionView>>> {
  await findRuleRow(tx, ruleId);
  const limit = q.limit ?? 50;
  const query = tx.trx('rule_executions').select('rule_executions.*', pageKeyColumn(tx.trx, 'rule_executions')).where({ rule_id: ruleId });
  const page = pageOf(await applyPage(query, 'rule_executions', decodePageCursor(q.cursor), limit), limit);
  return { data: page.rows.map((r) => executionView(r as unknown as ExecutionRow)), nextCursor: page.nextCursor, hasMore: page.hasMore };
}
