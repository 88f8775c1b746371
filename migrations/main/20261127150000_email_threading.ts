import type { Knex } from 'knex';
import { runScript } from '../sql.ts';

/**
 * Email threading needs the Message-IDs themselves, not only their blind index: an outbound reply
 * carries In-Reply-To / References built from them. They can name a mailbox, so they are sealed.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `ALTER TABLE messages ADD COLUMN rfc_message_id_enc bytea;`);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
