import type { Knex } from 'knex';
import { APP_ROLE, rlsSql, runScript } from '../sql.ts';

/**
 * Dashboard users and their sessions. A user belongs to one org; the email is unique across orgs
 * so a login ({email, password}) finds its org — through sb_user_login, the one narrow
 * cross-tenant read (like sb_authenticate for API keys). Passwords are stored as scrypt hashes
 * (salted, parameters in the string); session tokens as SHA-256 hashes.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    CREATE TABLE users (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id),
      email text NOT NULL UNIQUE,
      name text,
      role text NOT NULL CHECK (role IN ('owner', 'admin', 'agent', 'viewer')),
      password_hash text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      disabled_at timestamptz
    );
    CREATE INDEX users_org ON users (org_id, created_at);
    CREATE TABLE user_sessions (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id),
      user_id uuid NOT NULL REFERENCES users(id),
      token_hash bytea NOT NULL UNIQUE,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz NOT NULL,
      revoked_at timestamptz
    );
    CREATE FUNCTION sb_user_login(p_email text)
      RETURNS TABLE (org_id uuid, user_id uuid, password_hash text)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT u.org_id, u.id, u.password_hash FROM users u JOIN orgs o ON o.id = u.org_id
        WHERE u.email = p_email AND u.disabled_at IS NULL AND o.deleted_at IS NULL
      $$;
    REVOKE ALL ON FUNCTION sb_user_login(text) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION sb_user_login(text) TO ${APP_ROLE};
  `);
  await runScript(knex, rlsSql(['users', 'user_sessions']));
  await runScript(knex, `GRANT SELECT, INSERT, UPDATE ON users, user_sessions TO ${APP_ROLE};`);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
