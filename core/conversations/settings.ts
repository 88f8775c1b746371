import type { TenantTx } from '../db/tenant.ts';

/** How long after its last message a conversation still takes new messages (orgs.settings.reopenWindowHours). */
export const DEFAULT_REOPEN_WINDOW_HOURS = 24 * 7;

export async function reopenWindowHours(tx: TenantTx): Promise<number> {
  const row = await tx.trx('orgs').select('settings').where({ id: tx.orgId }).first();
  const value = Number(row?.settings?.reopenWindowHours);
  // A malformed setting must not stop ingest: fall back to the default.
  return Number.isFinite(value) && value >= 0 ? value : DEFAULT_REOPEN_WINDOW_HOURS;
}
