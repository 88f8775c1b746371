import type { Knex } from 'knex';
import { APP_ROLE, rlsSql, roleSql, runScript } from '../sql.ts';

/**
 * Contact PII, in its own schema (and, with PII_DATABASE_URL, its own database). No foreign keys
 * point here from the engine's tables, so the two can live apart.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, roleSql());
  await runScript(knex, `
    CREATE SCHEMA IF NOT EXISTS pii;
    GRANT USAGE ON SCHEMA pii TO ${APP_ROLE};

    CREATE TABLE pii.contacts (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL,
      name_enc bytea,
      attributes_enc bytea,
      timezone text,
      merged_into uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX contacts_list ON pii.contacts (org_id, created_at DESC, id DESC);

    CREATE TABLE pii.contact_handles (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL,
      contact_id uuid NOT NULL REFERENCES pii.contacts(id) ON DELETE CASCADE,
      kind text NOT NULL,
      value_enc bytea NOT NULL,
      -- HMAC blind index under the org's index key: lookups never decrypt.
      value_index bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (org_id, kind, value_index)
    );
    CREATE INDEX contact_handles_contact ON pii.contact_handles (contact_id);
  `);
  await runScript(knex, rlsSql(['pii.contacts', 'pii.contact_handles']));
  await runScript(knex, `GRANT SELECT, INSERT, UPDATE, DELETE ON pii.contacts, pii.contact_handles TO ${APP_ROLE};`);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
