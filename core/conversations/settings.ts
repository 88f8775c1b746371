import type { TenantTx } from '../db/tenant.ts';
import { orgSettings } from '../org-settings.ts';

/** How long after its last message a conversation still takes new messages (org setting). */
export async function reopenWindowHours(tx: TenantTx): Promise<number> {
  return (await orgSettings(tx.trx, tx.orgId)).reopenWindowHours;
}
