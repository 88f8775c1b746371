import type { Knex } from 'knex';
import { APP_ROLE, runScript } from '../sql.ts';

/**
 * Webhook attempts stay append-only except for the receiver's answer: GDPR erasure clears the
 * answers to the erased person's events (a receiver may echo the payload), so the app may update
 * that one column and nothing else of an attempt.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `GRANT UPDATE (response_enc) ON webhook_attempts TO ${APP_ROLE};`);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
