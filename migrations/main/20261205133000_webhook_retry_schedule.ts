import type { Knex } from 'knex';
import { runScript } from '../sql.ts';

/**
 * webhook_subscriptions.retry_schedule: an endpoint's own seconds between attempts (e.g. {5, 60}:
 * three attempts in all). NULL keeps the default (Svix's) schedule. Bounds are checked by the API
 * and again here, so no row can ask for a storm of retries or a retry a year away.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    ALTER TABLE webhook_subscriptions ADD COLUMN retry_schedule integer[]
      CHECK (retry_schedule IS NULL OR (cardinality(retry_schedule) <= 10 AND 1 <= ALL (retry_schedule) AND 86400 >= ALL (retry_schedule)));
  `);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
