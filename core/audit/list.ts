import type { Database } from '../db/database.ts';
import { withTenantRaw } from '../db/tenant.ts';
import { invalid } from '../errors.ts';
import { AUDIT_COLUMNS, auditView, type AuditEntryView, type AuditRow } from './rows.ts';
import { sealOrgNow } from './seal.ts';

/**
 * The org's audit trail, newest first, sealed entries only (listing seals first, so that is every
 * entry whose transaction has settled). The cursor is the position of the last entry returned.
 */
export interface AuditQuery {
  limit?: number;
  cursor?: string;
  /** Comma-separated actions, e.g. api_key.created,api_key.revoked */
  action?: string;
  targetType?: string;
  targetId?: string;
  actorId?: string;
  since?: string;
  until?: string;
}

export interface AuditPage {
  data: AuditEntryView[];
  nextCursor: string | null;
  hasMore: boolean;
}

const encodeCursor = (position: number) => Buffer.from(`audit:${position}`).toString('base64url');

function decodeCursor(cursor: string): string {
  const m = /^audit:(\d{1,18})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw invalid('cursor', 'is not a cursor returned by this API');
  return m[1];
}

export async function listAudit(db: Database, orgId: string, query: AuditQuery = {}): Promise<AuditPage> {
  await sealOrgNow(db, orgId);
  const limit = query.limit ?? 50;
  return withTenantRaw(db, orgId, async (trx) => {
    const where = ['org_id = sb_org()', 'hash IS NOT NULL'];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      where.push(sql);
      params.push(value);
    };
    if (query.cursor) add('audit_log.position < ?::bigint', decodeCursor(query.cursor));
    if (query.action) add('action = ANY(?::text[])', query.action.split(',').map((a) => a.trim()).filter(Boolean));
    if (query.targetType) add('target_type = ?', query.targetType);
    if (query.targetId) add('target_id = ?', query.targetId);
    if (query.actorId) add('actor_id = ?', query.actorId);
    if (query.since) add('created_at >= ?::timestamptz', query.since);
    if (query.until) add('created_at < ?::timestamptz', query.until);
    const { rows }: { rows: AuditRow[] } = await trx.raw(
      `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE ${where.join(' AND ')} ORDER BY audit_log.position DESC LIMIT ?`,
      [...params, limit + 1] as never[],
    );
    const page = rows.slice(0, limit);
    const hasMore = rows.length > limit;
    return { data: page.map(auditView), nextCursor: hasMore ? encodeCursor(Number(page[page.length - 1].position)) : null, hasMore };
  });
}
