import type { Database } from '../db/database.ts';
import { withTenantRaw } from '../db/tenant.ts';
import { GENESIS, entryHash } from './chain.ts';
import { AUDIT_COLUMNS, buf, chainFields, type AuditRow } from './rows.ts';
import { SETTLED } from '../events/events.ts';
import type { AuditTx } from './record.ts';

/**
 * The sealer: gives the org's settled, unsealed entries their positions and hashes, in
 * (tx, seq) order. "Settled" = written by a transaction older than every one still running, so
 * every entry that can still appear sorts after the ones sealed now: the order never changes
 * once chosen. Locking the org's head row makes concurrent sealers (several processes, a verify
 * racing the periodic task) take turns; the second finds nothing left.
 */
const BATCH = 500;

export async function sealOrg(tx: AuditTx): Promise<number> {
  const { trx, orgId } = tx;
  await trx.raw(`INSERT INTO audit_heads (org_id) VALUES (?) ON CONFLICT (org_id) DO NOTHING`, [orgId]);
  const { rows: heads } = await trx.raw(
    `SELECT position::text AS position, hash, entry_id FROM audit_heads WHERE org_id = ? FOR UPDATE`,
    [orgId],
  );
  let position = Number(heads[0].position);
  let prev: Buffer = buf(heads[0].hash) ?? GENESIS;
  let lastId: string | null = heads[0].entry_id;
  let sealed = 0;
  for (;;) {
    // ORDER BY names the table's columns: the selected tx/seq are text.
    const { rows }: { rows: AuditRow[] } = await trx.raw(
      `SELECT ${AUDIT_COLUMNS} FROM audit_log
       WHERE org_id = ? AND hash IS NULL AND ${SETTLED}
       ORDER BY audit_log.tx, audit_log.seq LIMIT ?`,
      [orgId, BATCH],
    );
    if (!rows.length) break;
    const ids: string[] = [];
    const positions: string[] = [];
    const prevs: string[] = [];
    const hashes: string[] = [];
    for (const r of rows) {
      position++;
      const hash = entryHash(prev, chainFields(r, position));
      ids.push(r.id);
      positions.push(String(position));
      prevs.push(prev.toString('hex'));
      hashes.push(hash.toString('hex'));
      prev = hash;
      lastId = r.id;
    }
    // One statement per batch; hex text arrays travel the same through pg and PGlite.
    await trx.raw(
      `UPDATE audit_log a SET position = v.position, prev_hash = decode(v.prev, 'hex'), hash = decode(v.hash, 'hex')
       FROM unnest(?::uuid[], ?::bigint[], ?::text[], ?::text[]) AS v(id, position, prev, hash)
       WHERE a.id = v.id`,
      [ids, positions, prevs, hashes],
    );
    sealed += rows.length;
    if (rows.length < BATCH) break;
  }
  if (sealed) {
    await trx('audit_heads').where({ org_id: orgId }).update({ position: String(position), hash: prev, entry_id: lastId, updated_at: trx.fn.now() });
  }
  return sealed;
}

/** Seals one org in a transaction of its own (no crypto: a deleted org's trail is sealed too). */
export const sealOrgNow = (db: Database, orgId: string) => withTenantRaw(db, orgId, (trx) => sealOrg({ orgId, trx }));

/** Seals every org with settled entries waiting; returns how many entries were sealed. */
export async function sealAll(db: Database): Promise<number> {
  const { rows } = await db.knex.raw('SELECT sb_audit_unsealed_orgs() AS id');
  let n = 0;
  for (const { id } of rows as { id: string }[]) n += await sealOrgNow(db, id);
  return n;
}
