import type { Knex } from 'knex';
import { APP_ROLE, rlsSql, runScript } from '../sql.ts';

/**
 * Retention and legal holds.
 *
 * messages.content_purged_at marks a message whose content (body, subject, media, error text)
 * the retention job destroyed; the partial index lists exactly the messages still holding
 * content, oldest first, so each tick finds its batch without scanning purged history.
 * legal_holds rows are never deleted: a release sets released_at (the hold's history is evidence).
 * The job deletes old raw_inbound archive rows (they hold the provider's request, content and
 * all) and rewrites the payload of the events about purged messages, hence DELETE on raw_inbound
 * and UPDATE on events.data_enc (only that column) for the app role.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    ALTER TABLE messages ADD COLUMN content_purged_at timestamptz;
    CREATE INDEX messages_retention ON messages (org_id, created_at) WHERE content_purged_at IS NULL;
    CREATE INDEX raw_inbound_received ON raw_inbound (org_id, received_at);
    -- The events about one message or conversation (subject_id), to rewrite their payloads.
    CREATE INDEX IF NOT EXISTS events_subject ON events (org_id, subject_id) WHERE subject_id IS NOT NULL;

    CREATE TABLE legal_holds (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id),
      target_type text NOT NULL CHECK (target_type IN ('conversation', 'contact')),
      target_id uuid NOT NULL,
      reason text NOT NULL,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      released_at timestamptz,
      released_by text
    );
    CREATE INDEX legal_holds_active ON legal_holds (org_id, target_type, target_id) WHERE released_at IS NULL;
    CREATE INDEX legal_holds_list ON legal_holds (org_id, created_at DESC, id DESC);
  `);
  await runScript(knex, rlsSql(['legal_holds']));
  await runScript(knex, `
    GRANT SELECT, INSERT, UPDATE ON legal_holds TO ${APP_ROLE};
    GRANT DELETE ON raw_inbound TO ${APP_ROLE};
    GRANT UPDATE (data_enc) ON events TO ${APP_ROLE};
  `);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
