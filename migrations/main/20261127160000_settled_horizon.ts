import type { Knex } from 'knex';
import { APP_ROLE, runScript } from '../sql.ts';

/**
 * "Settled" = written by a transaction that can no longer commit. Transaction ids are
 * cluster-wide, so pg_snapshot_xmin alone lets a long transaction in ANOTHER database of the same
 * server hold back our feed, relay and audit sealer. The horizon is the oldest transaction still
 * running that may be ours: the snapshot is taken first, then every in-progress id positively
 * seen running in another database is set aside; an id that cannot be placed (ended meanwhile,
 * prepared transactions) still counts, so the horizon errs late, never early.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    CREATE FUNCTION sb_settled_horizon() RETURNS xid8
      LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp AS $$
      DECLARE
        snap pg_snapshot := pg_current_snapshot();
        horizon xid8;
      BEGIN
        SELECT min(x) INTO horizon FROM pg_snapshot_xip(snap) AS x
        WHERE NOT EXISTS (
          SELECT 1 FROM pg_stat_activity a
          WHERE a.backend_xid IS NOT NULL
            AND a.datname IS DISTINCT FROM current_database()
            AND a.backend_xid::text::bigint = (x::text::numeric % 4294967296)::bigint
        );
        RETURN coalesce(horizon, pg_snapshot_xmax(snap));
      END $$;
    REVOKE ALL ON FUNCTION sb_settled_horizon() FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION sb_settled_horizon() TO ${APP_ROLE};

    CREATE OR REPLACE FUNCTION sb_events_after(p_tx xid8, p_seq bigint, p_limit int)
      RETURNS SETOF events
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT * FROM events
        WHERE (tx, seq) > (p_tx, p_seq) AND tx < (SELECT sb_settled_horizon())
        ORDER BY tx, seq LIMIT p_limit
      $$;

    CREATE OR REPLACE FUNCTION sb_audit_unsealed_orgs() RETURNS SETOF uuid
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT DISTINCT org_id FROM audit_log
        WHERE hash IS NULL AND tx < (SELECT sb_settled_horizon())
      $$;
  `);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
