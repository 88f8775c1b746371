import type { Knex } from 'knex';
import { APP_ROLE, runScript } from '../sql.ts';

/**
 * A platform's own records (issue 17), under the platform setting (RLS on app.platform_id):
 * - platform_audit_log: the platform's trail — orgs created / updated / suspended / resumed /
 *   deleted, platform keys minted and revoked, sign-in tokens minted, and every change it made
 *   while acting on an org through Switchboard-Org. Append-only for the app role (no UPDATE or
 *   DELETE granted) and kept apart from the orgs' trails, so it outlives an org's deletion. It
 *   holds ids, routes and counts only: nothing here needs encrypting.
 * - platform_idempotency_keys: Idempotency-Key for the platform's own POSTs (an org's calls keep
 *   theirs in idempotency_keys). The stored answer may hold a secret (a new org's API key, a
 *   platform key, a sign-in token), so it is sealed with a master-derived key (app code).
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    CREATE TABLE platform_audit_log (
      id uuid PRIMARY KEY,
      platform_id uuid NOT NULL REFERENCES platforms(id),
      actor_type text NOT NULL CHECK (actor_type IN ('platform_key', 'cli')),
      actor_id uuid,
      action text NOT NULL,
      org_id uuid,
      target_type text,
      target_id text,
      details jsonb NOT NULL DEFAULT '{}',
      ip text,
      user_agent_hash text,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX platform_audit_log_platform ON platform_audit_log (platform_id, id);
    ALTER TABLE platform_audit_log ENABLE ROW LEVEL SECURITY;
    CREATE POLICY platform ON platform_audit_log USING (platform_id = sb_platform()) WITH CHECK (platform_id = sb_platform());

    CREATE TABLE platform_idempotency_keys (
      platform_id uuid NOT NULL REFERENCES platforms(id),
      key text NOT NULL,
      request_hash bytea NOT NULL,
      status_code int,
      response_enc bytea,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (platform_id, key)
    );
    ALTER TABLE platform_idempotency_keys ENABLE ROW LEVEL SECURITY;
    CREATE POLICY platform ON platform_idempotency_keys USING (platform_id = sb_platform()) WITH CHECK (platform_id = sb_platform());

    GRANT SELECT, INSERT ON platform_audit_log TO ${APP_ROLE};
    GRANT SELECT, INSERT, UPDATE, DELETE ON platform_idempotency_keys TO ${APP_ROLE};
  `);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
