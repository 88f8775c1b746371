import type { Knex } from 'knex';
import { APP_ROLE, rlsSql, roleSql, runScript } from '../sql.ts';

/**
 * The engine's first floor: orgs and their keys, API keys, conversations, participants, messages,
 * the events spine, idempotency records and relay cursors. Contacts live in the pii migrations.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, roleSql());
  await runScript(knex, `
    CREATE TABLE system_settings (key text PRIMARY KEY, value text NOT NULL);

    CREATE TABLE orgs (
      id uuid PRIMARY KEY,
      name text NOT NULL,
      settings jsonb NOT NULL DEFAULT '{}',
      active_key_version int NOT NULL DEFAULT 1,
      index_key_wrapped bytea,
      created_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz
    );
    ALTER TABLE orgs ENABLE ROW LEVEL SECURITY;
    CREATE POLICY tenant ON orgs USING (id = sb_org()) WITH CHECK (id = sb_org());

    CREATE TABLE org_keys (
      org_id uuid NOT NULL REFERENCES orgs(id),
      version int NOT NULL,
      wrapped_key bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (org_id, version)
    );

    CREATE TABLE api_keys (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id),
      name text NOT NULL,
      prefix text NOT NULL,
      key_hash bytea NOT NULL UNIQUE,
      scopes text[] NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz
    );
    CREATE INDEX api_keys_org ON api_keys (org_id, created_at);

    CREATE TABLE conversations (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id),
      channel text NOT NULL,
      status text NOT NULL DEFAULT 'open',
      contact_id uuid,
      sender_address text,
      subject_enc bytea,
      metadata jsonb NOT NULL DEFAULT '{}',
      last_message_at timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX conversations_list ON conversations (org_id, created_at DESC, id DESC);
    CREATE INDEX conversations_thread ON conversations (org_id, contact_id, channel, sender_address, last_message_at DESC) WHERE status <> 'closed';
    CREATE INDEX conversations_metadata ON conversations USING gin (metadata jsonb_path_ops);

    CREATE TABLE participants (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id),
      conversation_id uuid NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
      contact_id uuid,
      user_ref text,
      role text NOT NULL,
      channel text NOT NULL,
      handle_id uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (contact_id IS NOT NULL OR user_ref IS NOT NULL)
    );
    CREATE INDEX participants_conversation ON participants (conversation_id);
    CREATE INDEX participants_contact ON participants (org_id, contact_id);

    CREATE TABLE messages (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id),
      conversation_id uuid NOT NULL REFERENCES conversations(id),
      direction text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
      channel text NOT NULL,
      connection_id uuid,
      contact_id uuid,
      sender_address text,
      provider_message_id text,
      rfc_message_id_index bytea,
      body_enc bytea,
      subject_enc bytea,
      status text NOT NULL,
      error_code text,
      metadata jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX messages_conversation ON messages (conversation_id, created_at DESC, id DESC);
    CREATE INDEX messages_contact ON messages (org_id, contact_id);
    CREATE INDEX messages_rfc ON messages (org_id, rfc_message_id_index) WHERE rfc_message_id_index IS NOT NULL;
    -- Provider ids are unique per connection; app-posted messages without a connection share one namespace per org.
    CREATE UNIQUE INDEX messages_provider_id ON messages
      (org_id, coalesce(connection_id, '00000000-0000-0000-0000-000000000000'::uuid), provider_message_id)
      WHERE provider_message_id IS NOT NULL;

    CREATE TABLE contact_merges (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id),
      survivor_id uuid NOT NULL,
      merged_id uuid NOT NULL,
      moved jsonb NOT NULL,
      actor text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      undone_at timestamptz
    );

    CREATE TABLE external_links (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id),
      contact_id uuid NOT NULL,
      system text NOT NULL,
      external_id text NOT NULL,
      url text,
      data jsonb NOT NULL DEFAULT '{}',
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (org_id, system, external_id)
    );
    CREATE INDEX external_links_contact ON external_links (org_id, contact_id);

    -- The spine. seq orders events inside a transaction; tx (the writing transaction id) lets the
    -- relay and /v1/sync read only transactions that can no longer commit, so no reader ever skips
    -- an event that committed late with a smaller seq.
    CREATE TABLE events (
      seq bigserial PRIMARY KEY,
      id uuid NOT NULL UNIQUE,
      org_id uuid NOT NULL REFERENCES orgs(id),
      type text NOT NULL,
      conversation_id uuid,
      subject_id uuid,
      data_enc bytea NOT NULL,
      tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX events_org_order ON events (org_id, tx, seq);
    CREATE INDEX events_order ON events (tx, seq);

    CREATE FUNCTION sb_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_notify('sb_events', ''); RETURN NULL; END $$;
    CREATE TRIGGER events_notify AFTER INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION sb_notify_events();

    CREATE TABLE idempotency_keys (
      org_id uuid NOT NULL REFERENCES orgs(id),
      key text NOT NULL,
      request_hash bytea NOT NULL,
      status_code int,
      response_enc bytea,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (org_id, key)
    );

    -- System table (no tenant data): where each relay consumer has got to.
    CREATE TABLE relay_cursors (
      consumer text PRIMARY KEY,
      tx xid8 NOT NULL DEFAULT '0',
      seq bigint NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
  `);
  await runScript(knex,
    rlsSql(['org_keys', 'api_keys', 'conversations', 'participants', 'messages', 'contact_merges', 'external_links', 'events', 'idempotency_keys']),
  );
  await runScript(knex, `
    GRANT SELECT, INSERT, UPDATE ON orgs TO ${APP_ROLE};
    GRANT SELECT, INSERT, DELETE ON org_keys TO ${APP_ROLE};
    GRANT SELECT, INSERT, UPDATE ON api_keys TO ${APP_ROLE};
    GRANT SELECT, INSERT, UPDATE, DELETE ON conversations, participants, messages, external_links TO ${APP_ROLE};
    GRANT SELECT, INSERT, UPDATE ON contact_merges TO ${APP_ROLE};
    GRANT SELECT, INSERT ON events TO ${APP_ROLE};
    GRANT USAGE ON SEQUENCE events_seq_seq TO ${APP_ROLE};
    GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO ${APP_ROLE};
    GRANT SELECT, INSERT, UPDATE ON relay_cursors TO ${APP_ROLE};

    -- The only cross-tenant reads the app may make, each narrow and owned by the migrating role.
    CREATE FUNCTION sb_authenticate(p_hash bytea)
      RETURNS TABLE (org_id uuid, key_id uuid, scopes text[])
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT k.org_id, k.id, k.scopes FROM api_keys k JOIN orgs o ON o.id = k.org_id
        WHERE k.key_hash = p_hash AND k.revoked_at IS NULL AND o.deleted_at IS NULL
      $$;
    CREATE FUNCTION sb_events_after(p_tx xid8, p_seq bigint, p_limit int)
      RETURNS SETOF events
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT * FROM events
        WHERE (tx, seq) > (p_tx, p_seq) AND tx < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY tx, seq LIMIT p_limit
      $$;
    CREATE FUNCTION sb_org_ids() RETURNS SETOF uuid
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT id FROM orgs WHERE deleted_at IS NULL ORDER BY created_at
      $$;
    REVOKE ALL ON FUNCTION sb_authenticate(bytea), sb_events_after(xid8, bigint, int), sb_org_ids() FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION sb_authenticate(bytea), sb_events_after(xid8, bigint, int), sb_org_ids() TO ${APP_ROLE};
  `);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
