import type { Knex } from 'knex';
import { runScript } from '../sql.ts';

/**
 * A publishable key is kept whole, so the dashboard can show the snippet of any key, not only of
 * one just created. It is public by design (like Stripe's pk_live_: it sits in every page that
 * embeds the chat and names only the org and the web chat connection; what a session may do is
 * decided by the connection's allowed origins and identity verification), so storing it in clear
 * discloses nothing a visitor of the site cannot read. Lookups still go through key_hash (the
 * sb_publishable_key definer function). Keys created before this migration stay NULL: their
 * snippet needs a new key.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `ALTER TABLE publishable_keys ADD COLUMN key text`);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
