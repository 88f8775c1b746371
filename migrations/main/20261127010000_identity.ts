import type { Knex } from 'knex';
import { runScript } from '../sql.ts';

/**
 * Identity: who undid a merge (the audit trail of a merge names both actors), and the look-ups
 * "merges of this contact" needs.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    ALTER TABLE contact_merges ADD COLUMN undone_by text;
    CREATE INDEX contact_merges_survivor ON contact_merges (org_id, survivor_id, created_at DESC, id DESC);
    CREATE INDEX contact_merges_merged ON contact_merges (org_id, merged_id, created_at DESC, id DESC);
  `);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
