import type { Knex } from 'knex';
import { APP_ROLE, rlsSql, runScript } from '../sql.ts';

/**
 * External events and polled sources:
 * - external_events: one row per external event a connection delivered (webhook or poll), keyed
 *   (connection, type, external id) and inserted in the transaction that appends the engine event,
 *   so a redelivered webhook or a re-polled page never emits the same event twice;
 * - poll_schedules: one row per polling connection: when it runs next, where it resumes (the
 *   cursor, encrypted: it can hold provider ids and timestamps of people's records), the claim of
 *   the process polling it right now (a lease: a crashed poller's claim expires), its failures.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    CREATE TABLE external_events (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id),
      connection_id uuid NOT NULL REFERENCES connections(id),
      type text NOT NULL,
      external_id text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (connection_id, type, external_id)
    );

    CREATE TABLE poll_schedules (
      connection_id uuid PRIMARY KEY REFERENCES connections(id),
      org_id uuid NOT NULL REFERENCES orgs(id),
      next_run_at timestamptz NOT NULL DEFAULT now(),
      cursor_enc bytea,
      claim_id uuid,
      claimed_until timestamptz,
      failures integer NOT NULL DEFAULT 0,
      last_error text,
      last_run_at timestamptz,
      last_success_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX poll_schedules_due ON poll_schedules (next_run_at);
  `);
  await runScript(knex, rlsSql(['external_events', 'poll_schedules']));
  await runScript(knex, `
    GRANT SELECT, INSERT, DELETE ON external_events TO ${APP_ROLE};
    GRANT SELECT, INSERT, UPDATE, DELETE ON poll_schedules TO ${APP_ROLE};
  `);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
