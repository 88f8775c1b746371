import type { Knex } from 'knex';
import { APP_ROLE, runScript } from '../sql.ts';

/**
 * Platforms above orgs (issue 17): a vertical app that creates and runs its customers' orgs by
 * API. An org may belong to one platform (orgs.platform_id; existing orgs keep NULL and work as
 * before). Isolation is row-level security on a second per-transaction setting, app.platform_id:
 * - a platform sees its own row, its keys and its orgs (permissive policies on platform_id);
 * - a RESTRICTIVE policy on orgs hides every org of another platform whenever the platform
 *   setting is present, even when app.org_id names it (a platform acting on an org sets both);
 * - an org may read its own platform's row (name and branding: its white-label defaults).
 * Usage is counted per org, day, metric, channel and connector in usage_daily, spread over a few
 * shard rows so concurrent messages of one org do not queue on one row lock.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    CREATE OR REPLACE FUNCTION sb_platform() RETURNS uuid LANGUAGE sql STABLE AS
      $$ SELECT nullif(current_setting('app.platform_id', true), '')::uuid $$;

    CREATE TABLE platforms (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      branding jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz
    );
    -- A custom domain serves one platform's dashboard (unique across platforms, whatever RLS shows).
    CREATE TABLE platform_domains (
      domain text PRIMARY KEY,
      platform_id uuid NOT NULL REFERENCES platforms(id),
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE platform_keys (
      id uuid PRIMARY KEY,
      platform_id uuid NOT NULL REFERENCES platforms(id),
      name text NOT NULL,
      prefix text NOT NULL,
      key_hash bytea NOT NULL UNIQUE,
      scopes text[] NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz
    );
    CREATE INDEX platform_keys_platform ON platform_keys (platform_id, created_at);

    ALTER TABLE orgs ADD COLUMN platform_id uuid REFERENCES platforms(id);
    ALTER TABLE orgs ADD COLUMN suspended_at timestamptz;
    ALTER TABLE orgs ADD COLUMN limits jsonb NOT NULL DEFAULT '{}';
    CREATE INDEX orgs_platform ON orgs (platform_id, created_at) WHERE platform_id IS NOT NULL;

    ALTER TABLE platforms ENABLE ROW LEVEL SECURITY;
    CREATE POLICY platform ON platforms USING (id = sb_platform()) WITH CHECK (id = sb_platform());
    CREATE POLICY org_reads_its_platform ON platforms FOR SELECT
      USING (id = (SELECT o.platform_id FROM orgs o WHERE o.id = sb_org()));
    ALTER TABLE platform_keys ENABLE ROW LEVEL SECURITY;
    CREATE POLICY platform ON platform_keys USING (platform_id = sb_platform()) WITH CHECK (platform_id = sb_platform());
    ALTER TABLE platform_domains ENABLE ROW LEVEL SECURITY;
    CREATE POLICY platform ON platform_domains USING (platform_id = sb_platform()) WITH CHECK (platform_id = sb_platform());

    CREATE POLICY platform ON orgs USING (platform_id = sb_platform()) WITH CHECK (platform_id = sb_platform());
    CREATE POLICY platform_scope ON orgs AS RESTRICTIVE
      USING (sb_platform() IS NULL OR platform_id = sb_platform())
      WITH CHECK (sb_platform() IS NULL OR platform_id = sb_platform());

    CREATE TABLE usage_daily (
      org_id uuid NOT NULL REFERENCES orgs(id),
      day date NOT NULL,
      metric text NOT NULL,
      channel text NOT NULL DEFAULT '',
      connector text NOT NULL DEFAULT '',
      shard smallint NOT NULL DEFAULT 0,
      quantity numeric NOT NULL DEFAULT 0,
      PRIMARY KEY (org_id, day, metric, channel, connector, shard)
    );
    ALTER TABLE usage_daily ENABLE ROW LEVEL SECURITY;
    CREATE POLICY tenant ON usage_daily USING (org_id = sb_org()) WITH CHECK (org_id = sb_org());
    CREATE POLICY platform ON usage_daily FOR SELECT
      USING (org_id IN (SELECT o.id FROM orgs o WHERE o.platform_id = sb_platform()));

    -- The monthly messages limit counts an org's outbound messages of the month (only for orgs with a limit).
    CREATE INDEX messages_outbound_month ON messages (org_id, created_at) WHERE direction = 'outbound';

    -- One row per (org, month) once the org passed its monthly messages limit: the event is emitted once.
    CREATE TABLE usage_limit_events (
      org_id uuid NOT NULL REFERENCES orgs(id),
      month date NOT NULL,
      metric text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (org_id, month, metric)
    );
    ALTER TABLE usage_limit_events ENABLE ROW LEVEL SECURITY;
    CREATE POLICY tenant ON usage_limit_events USING (org_id = sb_org()) WITH CHECK (org_id = sb_org());

    -- Short-lived, single-use sign-in tokens a platform mints for one user of one of its orgs.
    CREATE TABLE sign_in_tokens (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id),
      user_id uuid NOT NULL REFERENCES users(id),
      token_hash bytea NOT NULL UNIQUE,
      platform_key_id uuid,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    ALTER TABLE sign_in_tokens ENABLE ROW LEVEL SECURITY;
    CREATE POLICY tenant ON sign_in_tokens USING (org_id = sb_org()) WITH CHECK (org_id = sb_org());

    -- A suspended org's provider requests are archived "held" (acknowledged, unprocessed) until it is resumed.
    ALTER TABLE raw_inbound DROP CONSTRAINT raw_inbound_status;
    ALTER TABLE raw_inbound ADD CONSTRAINT raw_inbound_status CHECK (status IN ('received', 'held', 'processed', 'failed', 'unmatched'));
    CREATE INDEX raw_inbound_held ON raw_inbound (org_id, received_at) WHERE status = 'held';

    -- The audit trail names a platform acting on an org.
    ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_type_check;
    ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_type_check CHECK (actor_type IN ('api_key', 'user', 'system', 'cli', 'platform'));

    GRANT SELECT, INSERT, UPDATE ON platforms, platform_keys TO ${APP_ROLE};
    GRANT SELECT, INSERT, DELETE ON platform_domains TO ${APP_ROLE};
    GRANT SELECT, INSERT, UPDATE ON usage_daily TO ${APP_ROLE};
    GRANT SELECT, INSERT ON usage_limit_events TO ${APP_ROLE};
    GRANT SELECT, INSERT, UPDATE ON sign_in_tokens TO ${APP_ROLE};

    -- API keys of an org: suspension is told apart from a bad key (401 org_suspended).
    DROP FUNCTION sb_authenticate(bytea);
    CREATE FUNCTION sb_authenticate(p_hash bytea)
      RETURNS TABLE (org_id uuid, key_id uuid, scopes text[], suspended boolean)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT k.org_id, k.id, k.scopes, o.suspended_at IS NOT NULL FROM api_keys k JOIN orgs o ON o.id = k.org_id
        WHERE k.key_hash = p_hash AND k.revoked_at IS NULL AND o.deleted_at IS NULL
      $$;
    -- Platform keys, the same way (a key names its platform; nothing else is read).
    CREATE FUNCTION sb_authenticate_platform(p_hash bytea)
      RETURNS TABLE (platform_id uuid, key_id uuid, scopes text[])
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT k.platform_id, k.id, k.scopes FROM platform_keys k JOIN platforms p ON p.id = k.platform_id
        WHERE k.key_hash = p_hash AND k.revoked_at IS NULL AND p.deleted_at IS NULL
      $$;
    -- Host-based branding before sign-in: a custom domain names one platform's public branding.
    CREATE FUNCTION sb_platform_branding_for_host(p_host text)
      RETURNS TABLE (platform_id uuid, name text, branding jsonb)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT p.id, p.name, p.branding FROM platform_domains d JOIN platforms p ON p.id = d.platform_id
        WHERE d.domain = lower(p_host) AND p.deleted_at IS NULL
      $$;
    REVOKE ALL ON FUNCTION sb_authenticate(bytea), sb_authenticate_platform(bytea), sb_platform_branding_for_host(text) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION sb_authenticate(bytea), sb_authenticate_platform(bytea), sb_platform_branding_for_host(text) TO ${APP_ROLE};
  `);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
