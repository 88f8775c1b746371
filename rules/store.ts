import { v7 as uuidv7 } from 'uuid';
import type { TenantTx } from '../core/db/tenant.ts';
import { notFound } from '../core/errors.ts';
import { applyPage, decodePageCursor, pageKeyColumn, pageOf, type Page } from '../core/identity/pagination.ts';
import { assertValidRule, type RuleDefinition } from './validate.ts';

/**
 * Rules and their versions. The rules row holds the current definition (and the columns the
 * runner filters on); every create and update also writes a rule_versions row, so an execution's
 * (rule_id, rule_version) always names the definition that ran. Deleting is soft: executions
 * keep their rule.
 */
export interface RuleRow {
  id: string;
  org_id: string;
  version: number;
  name: string;
  trigger: string;
  priority: number;
  enabled: boolean;
  definition: RuleDefinition;
  deleted_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

export interface RuleView extends RuleDefinition {
  id: string;
  object: 'rule';
  version: number;
  /** Standard Webhooks secret call_webhook signs with (derived per rule; verify with it). */
  webhookSecret: string;
  createdAt: string;
  updatedAt: string;
}

const iso = (d: Date | string) => new Date(d).toISOString();

/** Derived, not stored: an HMAC of the rule id under the org's key, so it needs no column and no rotation of its own. */
export const ruleWebhookSecret = (tx: TenantTx, ruleId: string) => `whsec_${Buffer.from(tx.crypto.blindIndex('rule.webhook', ruleId)).toString('base64')}`;

export function ruleView(tx: TenantTx, r: RuleRow): RuleView {
  return { id: r.id, object: 'rule', version: r.version, ...r.definition, webhookSecret: ruleWebhookSecret(tx, r.id), createdAt: iso(r.created_at), updatedAt: iso(r.updated_at) };
}

export type RuleInput = Omit<RuleDefinition, 'priority' | 'stopAfter' | 'enabled' | 'condition'> & Partial<Pick<RuleDefinition, 'priority' | 'stopAfter' | 'enabled' | 'condition'>>;

const normalize = (input: RuleInput): RuleDefinition => ({
  name: input.name,
  description: input.description ?? null,
  trigger: input.trigger,
  condition: input.condition ?? true,
  actions: input.actions,
  priority: input.priority ?? 100,
  stopAfter: input.stopAfter ?? false,
  enabled: input.enabled ?? true,
});

const columns = (d: RuleDefinition) => ({ name: d.name, trigger: d.trigger, priority: d.priority, enabled: d.enabled, definition: JSON.stringify(d) });

export async function createRule(tx: TenantTx, input: RuleInput, actor: string): Promise<RuleView> {
  const d = normalize(input);
  assertValidRule(d);
  const id = uuidv7();
  const [row] = await tx.trx('rules').insert({ id, org_id: tx.orgId, version: 1, ...columns(d) }).returning('*');
  await tx.trx('rule_versions').insert({ rule_id: id, version: 1, org_id: tx.orgId, definition: JSON.stringify(d), created_by: actor });
  return ruleView(tx, row);
}

/** An unsaved rule as the runner sees one (validated like a save), so an editor can dry-run a draft before saving it. */
export function draftRuleRow(tx: TenantTx, input: RuleInput, id = uuidv7()): RuleRow {
  const d = normalize(input);
  assertValidRule(d);
  const now = new Date();
  return { id, org_id: tx.orgId, version: 0, name: d.name, trigger: d.trigger, priority: d.priority, enabled: d.enabled, definition: d, deleted_at: null, created_at: now, updated_at: now };
}

export async function findRuleRow(tx: TenantTx, id: string, opts: { lock?: boolean } = {}): Promise<RuleRow> {
  const q = tx.trx('rules').where({ id }).whereNull('deleted_at');
  if (opts.lock) q.forUpdate();
  const row: RuleRow | undefined = await q.first();
  if (!row) throw notFound(`rule: ${id}`);
  return row;
}

export async function getRule(tx: TenantTx, id: string): Promise<RuleView> {
  return ruleView(tx, await findRuleRow(tx, id));
}

/** Any change makes a new version (even toggling enabled: executions must name what ran). */
export async function updateRule(tx: TenantTx, id: string, patch: Partial<RuleInput>, actor: string): Promise<RuleView> {
  const current = await findRuleRow(tx, id, { lock: true });
  const d = normalize({ ...current.definition, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) } as RuleInput);
  assertValidRule(d);
  if (JSON.stringify(d) === JSON.stringify(normalize(current.definition))) return ruleView(tx, current);
  const version = current.version + 1;
  const [row] = await tx.trx('rules').where({ id }).update({ version, ...columns(d), updated_at: tx.trx.fn.now() }).returning('*');
  await tx.trx('rule_versions').insert({ rule_id: id, version, org_id: tx.orgId, definition: JSON.stringify(d), created_by: actor });
  return ruleView(tx, row);
}

export async function deleteRule(tx: TenantTx, id: string): Promise<void> {
  await findRuleRow(tx, id, { lock: true });
  await tx.trx('rules').where({ id }).update({ deleted_at: tx.trx.fn.now(), enabled: false }).returning('id');
}

export async function listRules(tx: TenantTx, q: { trigger?: string; cursor?: string; limit?: number }): Promise<Page<RuleView>> {
  const limit = q.limit ?? 50;
  const query = tx.trx('rules').select('rules.*', pageKeyColumn(tx.trx, 'rules')).whereNull('deleted_at');
  if (q.trigger) query.where({ trigger: q.trigger });
  const page = pageOf(await applyPage(query, 'rules', decodePageCursor(q.cursor), limit), limit);
  return { data: page.rows.map((r) => ruleView(tx, r as unknown as RuleRow)), nextCursor: page.nextCursor, hasMore: page.hasMore };
}

export async function listVersions(tx: TenantTx, id: string) {
  await findRuleRow(tx, id);
  const rows = await tx.trx('rule_versions').where({ rule_id: id }).orderBy('version', 'desc');
  return rows.map((r: { version: number; definition: RuleDefinition; created_by: string | null; created_at: Date | string }) => ({
    version: r.version,
    ...r.definition,
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
  }));
}

/** Enabled rules for an org whose trigger is one of the event's names, in run order. */
export async function rulesFor(tx: TenantTx, triggers: string[]): Promise<RuleRow[]> {
  return tx.trx('rules').whereNull('deleted_at').where({ enabled: true }).whereIn('trigger', triggers).orderBy('priority').orderBy('created_at').orderBy('id');
}
