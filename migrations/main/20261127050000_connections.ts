import type { Knex } from 'knex';
import { APP_ROLE, rlsSql, runScript } from '../sql.ts';

/**
 * Installed connectors (connections), their senders, the history of explicit upgrades, and the
 * encrypted archive of every inbound provider request (raw_inbound), kept for replay.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    CREATE TABLE connections (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id),
      connector_id text NOT NULL,
      connector_version text NOT NULL,
      name text NOT NULL,
      config jsonb NOT NULL DEFAULT '{}',
      secrets_enc bytea,
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'error')),
      status_reason text,
      sandbox boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX connections_org ON connections (org_id, created_at);

    CREATE TABLE connection_upgrades (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id),
      connection_id uuid NOT NULL REFERENCES connections(id),
      from_version text NOT NULL,
      to_version text NOT NULL,
      actor text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE senders (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id),
      connection_id uuid NOT NULL REFERENCES connections(id),
      channel text NOT NULL,
      address text NOT NULL,
      brand_id text,
      campaign_id text,
      registration_status text NOT NULL DEFAULT 'unregistered',
      messages_per_second numeric NOT NULL DEFAULT 1,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (org_id, channel, address)
    );

    CREATE TABLE raw_inbound (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id),
      connection_id uuid NOT NULL REFERENCES connections(id),
      request_enc bytea NOT NULL,
      status text NOT NULL DEFAULT 'received',
      error text,
      message_ids uuid[] NOT NULL DEFAULT '{}',
      received_at timestamptz NOT NULL DEFAULT now(),
      processed_at timestamptz
    );
    CREATE INDEX raw_inbound_connection ON raw_inbound (connection_id, received_at DESC);
  `);
  await runScript(knex, rlsSql(['connections', 'connection_upgrades', 'senders', 'raw_inbound']));
  await runScript(knex, `
    GRANT SELECT, INSERT, UPDATE, DELETE ON connections, senders TO ${APP_ROLE};
    GRANT SELECT, INSERT ON connection_upgrades TO ${APP_ROLE};
    GRANT SELECT, INSERT, UPDATE ON raw_inbound TO ${APP_ROLE};

    -- Provider webhooks arrive without an API key: the connection id in the URL names the org.
    CREATE FUNCTION sb_connection_org(p_id uuid) RETURNS uuid
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT c.org_id FROM connections c JOIN orgs o ON o.id = c.org_id
        WHERE c.id = p_id AND o.deleted_at IS NULL
      $$;
    REVOKE ALL ON FUNCTION sb_connection_org(uuid) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION sb_connection_org(uuid) TO ${APP_ROLE};
  `);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
