import type { Knex } from 'knex';
import type { Database } from '../db/database.ts';
import { withTenantRaw } from '../db/tenant.ts';
import { GENESIS, entryHash } from './chain.ts';
import { AUDIT_COLUMNS, buf, chainFields, type AuditRow } from './rows.ts';
import { sealOrgNow } from './seal.ts';
import { listOrgIds } from '../orgs.ts';
import { notFound } from '../errors.ts';

/**
 * Walks an org's sealed chain in position order and names the first entry that is wrong:
 * - missing:   positions jump (an entry was deleted; at the end: the chain head names more entries);
 * - reordered: an entry links to an entry that sits elsewhere in the chain, or a position repeats;
 * - edited:    an entry's content no longer matches its hash, or an entry was re-hashed after an
 *              edit (its successor's link, or the chain head, still holds the old hash).
 */
export type BadReason = 'edited' | 'missing' | 'reordered';

export interface BadEntry {
  /** The entry at fault; null when the missing entries were the newest (nothing follows them). */
  id: string | null;
  position: number;
  reason: BadReason;
  message: string;
}

export interface VerifyResult {
  orgId: string;
  ok: boolean;
  /** Sealed entries examined. */
  checked: number;
  head: { position: number; hash: string | null };
  /** Entries of transactions still running (or just committed) that are not chained yet. */
  unsealed: number;
  firstBad?: BadEntry;
}

const PAGE = 1000;

async function linkedElsewhere(trx: Knex, hash: Buffer): Promise<boolean> {
  const { rows } = await trx.raw(`SELECT 1 FROM audit_log WHERE org_id = sb_org() AND hash = ? LIMIT 1`, [hash]);
  return rows.length > 0;
}

async function firstBadIn(trx: Knex, head: { position: number; hash: Buffer | null }): Promise<{ checked: number; bad?: BadEntry }> {
  let checked = 0;
  let expected = 1;
  let prevHash: Buffer = GENESIS;
  let prevRow: AuditRow | null = null;
  let beyondHead: AuditRow | null = null;
  let after = { position: '0', id: '00000000-0000-0000-0000-000000000000' };
  const bad = (r: AuditRow, reason: BadReason, message: string, position = Number(r.position)) => ({ checked, bad: { id: r.id, position, reason, message } });
  for (;;) {
    const { rows }: { rows: AuditRow[] } = await trx.raw(
      `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE org_id = sb_org() AND hash IS NOT NULL
         AND (audit_log.position, audit_log.id) > (?::bigint, ?::uuid)
       ORDER BY audit_log.position, audit_log.id LIMIT ?`,
      [after.position, after.id, PAGE],
    );
    for (const r of rows) {
      checked++;
      const position = Number(r.position);
      const prev = buf(r.prev_hash)!;
      if (position > expected) {
        const gap = position - 1 === expected ? `position ${expected} is` : `positions ${expected}–${position - 1} are`;
        return bad(r, 'missing', `the entry at ${gap} missing before this one (deleted)`);
      }
      if (position < expected) return bad(r, 'reordered', `position ${position} appears twice or out of order`);
      const linked = prev.equals(prevHash);
      if (!linked && (await linkedElsewhere(trx, prev))) {
        return bad(r, 'reordered', 'this entry links to an entry that is not its predecessor (entries were moved)');
      }
      if (!entryHash(prev, chainFields(r, position)).equals(buf(r.hash)!)) {
        return bad(r, 'edited', 'the content of this entry does not match its hash');
      }
      if (!linked) {
        if (!prevRow) return bad(r, 'edited', 'the first entry does not start the chain');
        return bad(prevRow, 'edited', 'this entry was changed and re-hashed: its successor still holds its original hash');
      }
      if (position === head.position + 1) beyondHead = r;
      prevHash = buf(r.hash)!;
      prevRow = r;
      expected = position + 1;
    }
    if (rows.length < PAGE) break;
    after = { position: rows[rows.length - 1].position!, id: rows[rows.length - 1].id };
  }
  const last = expected - 1;
  if (head.position > last) {
    const gap = head.position === last + 1 ? `entry ${last + 1} is` : `entries ${last + 1}–${head.position} are`;
    return { checked, bad: { id: null, position: last + 1, reason: 'missing', message: `the chain head names ${head.position} entries: ${gap} missing (the newest were deleted)` } };
  }
  if (prevRow && head.position === last && !(head.hash && head.hash.equals(prevHash))) {
    return { checked, bad: { id: prevRow.id, position: last, reason: 'edited', message: 'the newest entry was changed and re-hashed: the chain head still holds its original hash' } };
  }
  if (beyondHead) {
    const message = `entries after position ${head.position} were added outside the sealer (the chain head ends there)`;
    return { checked, bad: { id: beyondHead.id, position: head.position + 1, reason: 'edited', message } };
  }
  return { checked };
}

/** Seals what is settled, then verifies the org's whole chain. */
export async function verifyOrg(db: Database, orgId: string): Promise<VerifyResult> {
  await sealOrgNow(db, orgId);
  return withTenantRaw(db, orgId, async (trx) => {
    const h = await trx('audit_heads').select(trx.raw('position::text AS position'), 'hash').where({ org_id: orgId }).first();
    const head = { position: Number(h?.position ?? 0), hash: buf(h?.hash ?? null) };
    const { checked, bad } = await firstBadIn(trx, head);
    const [{ n }] = (await trx.raw(`SELECT count(*)::int AS n FROM audit_log WHERE org_id = sb_org() AND hash IS NULL`)).rows;
    return {
      orgId,
      ok: !bad,
      checked,
      head: { position: head.position, hash: head.hash?.toString('hex') ?? null },
      unsealed: n,
      ...(bad ? { firstBad: bad } : {}),
    };
  });
}

/** One org (which must exist, deleted or not: a deleted org's trail still proves what happened) or every live org. */
export async function verifyOrgs(db: Database, orgId?: string): Promise<VerifyResult[]> {
  if (orgId) {
    const exists = await withTenantRaw(db, orgId, (trx) => trx('orgs').select('id').where({ id: orgId }).first());
    if (!exists) throw notFound('org');
  }
  const results: VerifyResult[] = [];
  for (const id of orgId ? [orgId] : await listOrgIds(db)) results.push(await verifyOrg(db, id));
  return results;
}
