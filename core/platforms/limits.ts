import type { TenantTx } from '../db/tenant.ts';
import { AppError } from '../errors.ts';
import { appendEvent } from '../events/events.ts';
import type { MonthlyLimit } from './orgs.ts';

/**
 * The monthly messages limit a platform sets on an org (orgs.limits.monthlyMessages): outbound
 * messages accepted in the calendar month (UTC). Checked when a send is requested (queueOutbound):
 * - hard: once `limit` messages were accepted, the next is refused (422 monthly_limit_reached);
 * - either way, the message that reaches the limit emits `usage.limit_reached` once per month
 *   (a usage_limit_events row makes it once, whatever the concurrency).
 * Compliance replies (STOP/HELP confirmations) do not pass here and are never refused.
 */
export const monthStart = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));

async function limitOf(tx: TenantTx): Promise<MonthlyLimit | null> {
  const row = await tx.trx('orgs').select('limits').where({ id: tx.orgId }).first();
  const l = row?.limits?.monthlyMessages;
  return l && typeof l.limit === 'number' ? { limit: l.limit, hard: !!l.hard } : null;
}

async function acceptedThisMonth(tx: TenantTx, since: Date): Promise<number> {
  const row = await tx.trx('messages').where({ org_id: tx.orgId, direction: 'outbound' }).where('created_at', '>=', since).count<{ n: string }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** Before the message is recorded: refuses past a hard limit. Returns what afterSend needs. */
export async function checkMonthlyLimit(tx: TenantTx, now = new Date()): Promise<{ limit: MonthlyLimit; before: number } | null> {
  const limit = await limitOf(tx);
  if (!limit) return null;
  // Sends of a limited org take turns on the org row (NO KEY UPDATE: the FK checks of other writes still pass),
  // so two concurrent sends cannot both take the last message of the month.
  if (limit.hard) await tx.trx('orgs').where({ id: tx.orgId }).forNoKeyUpdate().first('id');
  const before = await acceptedThisMonth(tx, monthStart(now));
  if (limit.hard && before >= limit.limit) {
    throw new AppError('monthly_limit_reached', `This org reached its limit of ${limit.limit} outbound messages this month; sends resume next month or when its platform raises the limit.`, {
      details: [{ reason: 'monthly messages limit reached', limit: limit.limit, used: before, resetsAt: nextMonth(now).toISOString() }],
    });
  }
  return { limit, before };
}

/** After the message is recorded: the one that reaches the limit emits usage.limit_reached (once a month). */
export async function afterSendCounted(tx: TenantTx, checked: { limit: MonthlyLimit; before: number } | null, now = new Date()): Promise<void> {
  if (!checked || checked.before + 1 < checked.limit.limit) return;
  const month = monthStart(now).toISOString().slice(0, 10);
  const inserted = await tx.trx('usage_limit_events').insert({ org_id: tx.orgId, month, metric: 'messages' }).onConflict(['org_id', 'month', 'metric']).ignore().returning('org_id');
  if (!inserted.length) return;
  await appendEvent(tx, {
    type: 'usage.limit_reached',
    subjectId: tx.orgId,
    data: { metric: 'messages', period: month.slice(0, 7), limit: checked.limit.limit, used: checked.before + 1, hard: checked.limit.hard },
  });
}

const nextMonth = (at: Date) => new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
