import type { Knex } from 'knex';
import { APP_ROLE, rlsSql, runScript } from '../sql.ts';

/**
 * crm_logged_notes: conversation summaries logged as CRM notes (rule action log_to_crm with
 * `summary: true`), one per (connection, conversation, version = the conversation's latest
 * message id), so a replayed or retried rule logs the note once. A row is claimed (external_id
 * null) before the provider call and completed after it; a claim older than the lease is taken
 * over (its holder died mid-call). No text is kept: the note's text lives in the CRM and in the
 * sealed enrichment.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    CREATE TABLE crm_logged_notes (
      org_id uuid NOT NULL REFERENCES orgs(id),
      connection_id uuid NOT NULL REFERENCES connections(id),
      conversation_id uuid NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
      version text NOT NULL,
      holder uuid NOT NULL,
      external_id text,
      claimed_at timestamptz NOT NULL DEFAULT now(),
      logged_at timestamptz,
      PRIMARY KEY (connection_id, conversation_id, version)
    );
  `);
  await runScript(knex, rlsSql(['crm_logged_notes']));
  await runScript(knex, `GRANT SELECT, INSERT, UPDATE, DELETE ON crm_logged_notes TO ${APP_ROLE};`);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
