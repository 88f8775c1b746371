import type { Knex } from 'knex';
import { APP_ROLE, runScript } from '../sql.ts';

/**
 * Which orgs of a relay batch listen at all: the relay skips the rules and webhook fan-out jobs of
 * orgs that have no rule, or never subscribed a webhook (two queue round trips per event saved).
 * Cross-tenant on purpose and narrow: they answer org ids only, for the ids asked about.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    CREATE FUNCTION sb_orgs_with_rules(p_orgs uuid[]) RETURNS SETOF uuid
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT DISTINCT org_id FROM rules WHERE org_id = ANY (p_orgs) AND deleted_at IS NULL AND enabled
      $$;
    -- An org's webhook cursor is created with its first subscription; fan-out reads from there.
    CREATE FUNCTION sb_orgs_with_webhooks(p_orgs uuid[]) RETURNS SETOF uuid
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT org_id FROM webhook_cursors WHERE org_id = ANY (p_orgs)
      $$;
    REVOKE ALL ON FUNCTION sb_orgs_with_rules(uuid[]), sb_orgs_with_webhooks(uuid[]) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION sb_orgs_with_rules(uuid[]), sb_orgs_with_webhooks(uuid[]) TO ${APP_ROLE};
  `);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
