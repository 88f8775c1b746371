import type { Knex } from 'knex';
import { APP_ROLE, rlsSql, runScript } from '../sql.ts';

/**
 * crm_log_leases: who is logging a conversation to a CRM connection right now. A log run reads
 * the unlogged messages, calls the provider outside any transaction, then records what it logged;
 * two runs at once would both send the same messages. The lease (taken in the read's transaction,
 * dropped after the record) makes the second run wait; its expiry frees a lease whose holder died.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    CREATE TABLE crm_log_leases (
      org_id uuid NOT NULL REFERENCES orgs(id),
      connection_id uuid NOT NULL REFERENCES connections(id),
      conversation_id uuid NOT NULL REFERENCES conversations(id),
      holder uuid NOT NULL,
      expires_at timestamptz NOT NULL,
      PRIMARY KEY (connection_id, conversation_id)
    );
  `);
  await runScript(knex, rlsSql(['crm_log_leases']));
  await runScript(knex, `GRANT SELECT, INSERT, UPDATE, DELETE ON crm_log_leases TO ${APP_ROLE};`);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
