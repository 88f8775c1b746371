import type { Knex } from 'knex';
import { APP_ROLE, rlsSql, runScript } from '../sql.ts';

/**
 * Publishable keys of web chat connections: the pk_live_… a page embeds to open widget sessions.
 * Public by design (they sit in page source), so they grant nothing alone: the connection's
 * allowed origins and, optionally, identity verification decide. Stored hashed like API keys so
 * a database dump does not hand them out, and revocable one by one (rotation).
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    CREATE TABLE publishable_keys (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id),
      connection_id uuid NOT NULL REFERENCES connections(id),
      key_hash bytea NOT NULL UNIQUE,
      prefix text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz
    );
    CREATE INDEX publishable_keys_connection ON publishable_keys (org_id, connection_id, created_at);
  `);
  await runScript(knex, rlsSql(['publishable_keys']));
  await runScript(knex, `
    GRANT SELECT, INSERT, UPDATE ON publishable_keys TO ${APP_ROLE};

    -- A widget request carries no API key: its publishable key names the org and the connection.
    CREATE FUNCTION sb_publishable_key(p_hash bytea)
      RETURNS TABLE (org_id uuid, key_id uuid, connection_id uuid)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT k.org_id, k.id, k.connection_id FROM publishable_keys k
        JOIN orgs o ON o.id = k.org_id
        JOIN connections c ON c.id = k.connection_id
        WHERE k.key_hash = p_hash AND k.revoked_at IS NULL AND o.deleted_at IS NULL AND c.status = 'active'
      $$;
    REVOKE ALL ON FUNCTION sb_publishable_key(bytea) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION sb_publishable_key(bytea) TO ${APP_ROLE};
  `);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
