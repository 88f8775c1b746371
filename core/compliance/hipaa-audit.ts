import type { Engine } from '../engine.ts';
import { recordAudit } from '../audit/record.ts';
import { orgSettings } from '../org-settings.ts';

/**
 * HIPAA mode audits every read of message content or contact PII through the API: one pii.read
 * entry per request (not per row), naming the route, the ids in its path and how many items it
 * returned. Orgs without HIPAA mode pay one settings read on these routes, nothing more.
 */
export const PII_READ_SCOPES = new Set(['messages:read', 'contacts:read', 'conversations:read']);

export interface PiiRead {
  orgId: string;
  keyId: string;
  /** Set for a dashboard session: the read is the user's. */
  userId?: string;
  route: string;
  params: Record<string, string>;
  body: unknown;
  ip?: string | null;
  userAgent?: string | null;
}

export async function auditPiiRead(engine: Pick<Engine, 'tenant'>, r: PiiRead): Promise<void> {
  await engine.tenant(r.orgId, async (tx) => {
    if (!(await orgSettings(tx.trx, r.orgId)).hipaaMode) return;
    const data = (r.body as { data?: unknown[] } | null)?.data;
    const ids = Array.isArray(data) ? data.map((d) => (d as { id?: string })?.id).filter(Boolean).slice(0, 200) : [(r.body as { id?: string } | null)?.id].filter(Boolean);
    await recordAudit(tx, {
      actor: r.userId ? { type: 'user', id: r.userId } : { type: 'api_key', id: r.keyId },
      action: 'pii.read',
      details: { route: r.route, params: r.params, ids, count: ids.length },
      context: { ip: r.ip ?? null, userAgent: r.userAgent ?? null },
    });
  });
}
