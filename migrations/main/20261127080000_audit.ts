import type { Knex } from 'knex';
import { APP_ROLE, rlsSql, runScript } from '../sql.ts';

/**
 * The audit trail: append-only and hash-chained per org.
 *
 * A change inserts its entry unsealed (position/prev_hash/hash NULL) in its own transaction, so
 * the entry commits or not with the change and auditing never serializes an org's writes. The
 * sealer later chains the SETTLED entries (written by transactions older than every running one,
 * the same rule as the events feed) in (tx, seq) order, so the order is deterministic and no entry
 * can ever arrive behind one already sealed. audit_heads keeps each org's chain head apart from
 * the log: deleting the newest entries is caught too, and locking the head row serializes sealers.
 *
 * Append-only is enforced here, not by convention: the app role may INSERT and SELECT and may
 * UPDATE only the seal columns, and a trigger refuses any change to a sealed entry, any change to
 * an entry's content, any DELETE and any TRUNCATE, whoever asks.
 *
 * Erasure (GDPR) rewrites the payload of the events about an erased contact with its content
 * removed, so the app role gets UPDATE on events.data_enc (and on nothing else of events).
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    CREATE TABLE audit_log (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id),
      seq bigserial NOT NULL,
      tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
      actor_type text NOT NULL CHECK (actor_type IN ('api_key', 'user', 'system', 'cli')),
      actor_id text,
      action text NOT NULL,
      target_type text,
      target_id text,
      details jsonb NOT NULL DEFAULT '{}',
      ip text,
      user_agent_hash text,
      created_at timestamptz NOT NULL DEFAULT now(),
      position bigint,
      prev_hash bytea,
      hash bytea,
      CHECK ((position IS NULL) = (hash IS NULL) AND (hash IS NULL) = (prev_hash IS NULL)),
      UNIQUE (org_id, position)
    );
    CREATE INDEX audit_log_unsealed ON audit_log (org_id, tx, seq) WHERE hash IS NULL;
    CREATE INDEX audit_log_target ON audit_log (org_id, target_type, target_id, position);

    CREATE TABLE audit_heads (
      org_id uuid PRIMARY KEY REFERENCES orgs(id),
      position bigint NOT NULL DEFAULT 0,
      hash bytea,
      entry_id uuid,
      updated_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE FUNCTION sb_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
        RAISE EXCEPTION 'audit_log is append-only: entries cannot be deleted' USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF OLD.hash IS NOT NULL THEN
        RAISE EXCEPTION 'audit_log entry % is sealed and cannot change', OLD.id USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF to_jsonb(NEW) - 'position' - 'prev_hash' - 'hash' IS DISTINCT FROM to_jsonb(OLD) - 'position' - 'prev_hash' - 'hash' THEN
        RAISE EXCEPTION 'only the seal of audit_log entry % may be set', OLD.id USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION sb_audit_append_only();
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION sb_audit_append_only();
  `);
  await runScript(knex, rlsSql(['audit_log', 'audit_heads']));
  await runScript(knex, `
    GRANT SELECT, INSERT ON audit_log TO ${APP_ROLE};
    GRANT UPDATE (position, prev_hash, hash) ON audit_log TO ${APP_ROLE};
    GRANT USAGE ON SEQUENCE audit_log_seq_seq TO ${APP_ROLE};
    GRANT SELECT, INSERT, UPDATE ON audit_heads TO ${APP_ROLE};
    GRANT UPDATE (data_enc) ON events TO ${APP_ROLE};

    -- The sealer's only cross-tenant read: which orgs have settled entries waiting for a seal.
    CREATE FUNCTION sb_audit_unsealed_orgs() RETURNS SETOF uuid
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT DISTINCT org_id FROM audit_log
        WHERE hash IS NULL AND tx < pg_snapshot_xmin(pg_current_snapshot())
      $$;
    REVOKE ALL ON FUNCTION sb_audit_unsealed_orgs() FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION sb_audit_unsealed_orgs() TO ${APP_ROLE};
  `);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
