import { v7 as uuidv7 } from 'uuid';
import type { TenantTx } from '../core/db/tenant.ts';
import type { Enrichment, Task, Usage } from './provider.ts';

/**
 * ai_enrichments (one sealed result per subject and version) and ai_usage (external tokens per
 * org and month). The result is sealed under the row id like every other content column.
 */
export type SubjectType = 'message' | 'conversation';

export interface EnrichmentRecord {
  id: string;
  subjectType: SubjectType;
  subjectId: string;
  conversationId: string;
  version: string;
  tasks: Task[];
  provider: string;
  model: string | null;
  connectionId: string | null;
  fallback: string | null;
  result: Enrichment;
  createdAt: string;
}

interface Row {
  id: string;
  subject_type: SubjectType;
  subject_id: string;
  conversation_id: string;
  version: string;
  tasks: Task[];
  provider: string;
  model: string | null;
  connection_id: string | null;
  fallback: string | null;
  result_enc: Buffer;
  created_at: Date | string;
}

function fromRow(tx: TenantTx, r: Row): EnrichmentRecord {
  return {
    id: r.id,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    conversationId: r.conversation_id,
    version: r.version,
    tasks: r.tasks,
    provider: r.provider,
    model: r.model,
    connectionId: r.connection_id,
    fallback: r.fallback,
    result: tx.crypto.decryptJson<Enrichment>(r.id, 'result', Buffer.from(r.result_enc)) ?? {},
    createdAt: new Date(r.created_at).toISOString(),
  };
}

/** The stored result for this subject and version that covers every task asked for. */
export async function findEnrichment(tx: TenantTx, subjectType: SubjectType, subjectId: string, version: string, tasks: Task[]): Promise<EnrichmentRecord | null> {
  const rows: Row[] = await tx.trx('ai_enrichments').where({ subject_type: subjectType, subject_id: subjectId, version }).orderBy('created_at', 'desc');
  const row = rows.find((r) => tasks.every((t) => r.tasks.includes(t)));
  return row ? fromRow(tx, row) : null;
}

/** The newest result for a subject, whatever its version (rule context, the conversation view). */
export async function latestEnrichment(tx: TenantTx, subjectType: SubjectType, subjectId: string): Promise<EnrichmentRecord | null> {
  const row: Row | undefined = await tx.trx('ai_enrichments').where({ subject_type: subjectType, subject_id: subjectId }).orderBy('created_at', 'desc').orderBy('id', 'desc').first();
  return row ? fromRow(tx, row) : null;
}

/**
 * Stores a result; false when another run stored this subject and version first (the unique key;
 * the caller then reads that one and emits nothing). A new task set for the same version
 * replaces the narrower result.
 */
export async function saveEnrichment(tx: TenantTx, rec: Omit<EnrichmentRecord, 'id' | 'createdAt'>): Promise<EnrichmentRecord | null> {
  const existing = await findEnrichment(tx, rec.subjectType, rec.subjectId, rec.version, rec.tasks);
  if (existing) return null;
  await tx.trx('ai_enrichments').where({ subject_type: rec.subjectType, subject_id: rec.subjectId, version: rec.version }).delete();
  const id = uuidv7();
  const rows: Row[] = await tx.trx('ai_enrichments')
    .insert({
      id,
      org_id: tx.orgId,
      subject_type: rec.subjectType,
      subject_id: rec.subjectId,
      conversation_id: rec.conversationId,
      version: rec.version,
      tasks: rec.tasks,
      provider: rec.provider,
      model: rec.model,
      connection_id: rec.connectionId,
      fallback: rec.fallback,
      result_enc: tx.crypto.encryptJson(id, 'result', rec.result),
    })
    .onConflict(['org_id', 'subject_type', 'subject_id', 'version'])
    .ignore()
    .returning('*');
  return rows[0] ? fromRow(tx, rows[0]) : null;
}

export const monthOf = (d = new Date()) => d.toISOString().slice(0, 7);

export async function monthUsage(tx: TenantTx, month = monthOf()): Promise<{ totalTokens: number; calls: number; budgetExceededAt: string | null }> {
  const row = await tx.trx('ai_usage').where({ month }).first();
  return { totalTokens: Number(row?.total_tokens ?? 0), calls: Number(row?.calls ?? 0), budgetExceededAt: row?.budget_exceeded_at ? new Date(row.budget_exceeded_at).toISOString() : null };
}

export async function addUsage(tx: TenantTx, usage: Usage, calls: number, month = monthOf()): Promise<void> {
  await tx.trx.raw(
    `INSERT INTO ai_usage (org_id, month, calls, prompt_tokens, completion_tokens, total_tokens) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (org_id, month) DO UPDATE SET calls = ai_usage.calls + EXCLUDED.calls, prompt_tokens = ai_usage.prompt_tokens + EXCLUDED.prompt_tokens,
       completion_tokens = ai_usage.completion_tokens + EXCLUDED.completion_tokens, total_tokens = ai_usage.total_tokens + EXCLUDED.total_tokens`,
    [tx.orgId, month, calls, usage.promptTokens, usage.completionTokens, usage.totalTokens],
  );
}

/** Marks the month's budget as exceeded; true the first time only (the caller emits the event once). */
export async function markBudgetExceeded(tx: TenantTx, month = monthOf()): Promise<boolean> {
  await tx.trx.raw(`INSERT INTO ai_usage (org_id, month) VALUES (?, ?) ON CONFLICT (org_id, month) DO NOTHING`, [tx.orgId, month]);
  const n = await tx.trx('ai_usage').where({ month }).whereNull('budget_exceeded_at').update({ budget_exceeded_at: tx.trx.fn.now() });
  return n > 0;
}
