import type { Knex } from 'knex';
import { runScript } from '../sql.ts';

/**
 * A receiver's answer is its own text: an endpoint that echoes the payload answers with message
 * bodies and phone numbers. It was kept in clear in webhook_attempts.response_body (visible in a
 * dump); it is now sealed per org like message content (response_enc, AAD = attempt id), and the
 * clear copies of earlier attempts are dropped with the column.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    ALTER TABLE webhook_attempts ADD COLUMN response_enc bytea;
    ALTER TABLE webhook_attempts DROP COLUMN response_body;
  `);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
