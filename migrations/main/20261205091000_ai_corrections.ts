import type { Knex } from 'knex';
import { APP_ROLE, rlsSql, runScript } from '../sql.ts';

/**
 * ai_corrections: an org's own labels for a message's intent and/or sentiment (PUT
 * /v1/messages/{id}/ai-correction, audited). The local classifier of that org trains on them next
 * to the shipped labelled set. No text is copied here: training reads the (sealed) message body,
 * so retention and erasure, which clear the body, take the example with them.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    CREATE TABLE ai_corrections (
      org_id uuid NOT NULL REFERENCES orgs(id),
      message_id uuid NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
      intent text,
      sentiment text CHECK (sentiment IN ('negative', 'neutral', 'positive')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (org_id, message_id),
      CHECK (intent IS NOT NULL OR sentiment IS NOT NULL)
    );
  `);
  await runScript(knex, rlsSql(['ai_corrections']));
  await runScript(knex, `GRANT SELECT, INSERT, UPDATE, DELETE ON ai_corrections TO ${APP_ROLE};`);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
