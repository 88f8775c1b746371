import type { Knex } from 'knex';
import { runScript } from '../sql.ts';

/**
 * Messaging columns the engine migration left out: media (encrypted: URLs can be capability
 * links), the provider's error text (encrypted: providers quote phone numbers in it) and the
 * handle a message was sent to or received from (a contact may have several numbers).
 * Grants are per table, so the app role can use the new columns at once.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    ALTER TABLE messages ADD COLUMN media_enc bytea;
    ALTER TABLE messages ADD COLUMN error_message_enc bytea;
    ALTER TABLE messages ADD COLUMN handle_id uuid;
  `);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
