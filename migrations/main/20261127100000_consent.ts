import type { Knex } from 'knex';
import { APP_ROLE, rlsSql, runScript } from '../sql.ts';

/**
 * The consent ledger: append-only evidence of who agreed to (or refused) what, per org.
 *
 * A handle is referenced by its blind index (handle_index, under the org's index key) and kind,
 * never by value: the ledger outlives erasure of the contact as proof of what was honoured, and
 * must hold no phone number. The current state of (handle, channel, purpose) is its latest entry;
 * nothing is ever updated or deleted (the app role has INSERT and SELECT only, and a trigger
 * refuses UPDATE/DELETE for every role), so the history is the record.
 * channel: 'sms' stands for sms and mms (carriers keep one opt-out per number for both).
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    CREATE TABLE consents (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id),
      seq bigserial NOT NULL,
      handle_kind text NOT NULL,
      handle_index bytea NOT NULL,
      contact_id uuid,
      channel text NOT NULL,
      purpose text NOT NULL CHECK (purpose IN ('transactional', 'marketing')),
      status text NOT NULL CHECK (status IN ('opted_in', 'opted_out')),
      source text NOT NULL CHECK (source IN ('keyword', 'api', 'form', 'import', 'provider')),
      evidence jsonb NOT NULL DEFAULT '{}',
      recorded_at timestamptz NOT NULL DEFAULT now(),
      recorded_by text NOT NULL
    );
    CREATE INDEX consents_current ON consents (org_id, handle_index, channel, purpose, recorded_at DESC, seq DESC);
    CREATE INDEX consents_contact ON consents (org_id, contact_id, recorded_at DESC) WHERE contact_id IS NOT NULL;
    CREATE INDEX consents_list ON consents (org_id, recorded_at, seq);

    CREATE OR REPLACE FUNCTION sb_consents_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'consents is append-only';
    END $$;
    CREATE TRIGGER consents_append_only BEFORE UPDATE OR DELETE ON consents
      FOR EACH ROW EXECUTE FUNCTION sb_consents_append_only();
  `);
  await runScript(knex, rlsSql(['consents']));
  await runScript(knex, `
    GRANT SELECT, INSERT ON consents TO ${APP_ROLE};
    GRANT USAGE ON SEQUENCE consents_seq_seq TO ${APP_ROLE};
  `);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
