import type { Knex } from 'knex';
import type { Database } from '../db/database.ts';

/**
 * Test support: runs fn as the database owner (the superuser login of tests, in PGlite and in
 * PostgreSQL alike) with triggers off — what an intruder with the owner's password could do.
 * SET LOCAL makes both revert when the transaction ends, so the connection goes back to the app role.
 */
export async function asOwner(db: Database, fn: (trx: Knex.Transaction) => Promise<void>): Promise<void> {
  await db.knex.transaction(async (trx) => {
    await trx.raw('SET LOCAL ROLE NONE');
    await trx.raw('SET LOCAL session_replication_role = replica');
    await fn(trx);
  });
}

/** Swaps the positions of two sealed entries (through a free position: (org, position) is unique). */
export async function swapPositions(trx: Knex, orgId: string, a: number, b: number): Promise<void> {
  await trx('audit_log').where({ org_id: orgId, position: a }).update({ position: -1 });
  await trx('audit_log').where({ org_id: orgId, position: b }).update({ position: a });
  await trx('audit_log').where({ org_id: orgId, position: -1 }).update({ position: b });
}
