import type { Knex } from 'knex';
import { APP_ROLE, runScript } from '../sql.ts';

/**
 * The conversation list's metadata and tag filters, answered by their GIN indexes again.
 *
 * Under row-level security PostgreSQL applies a query's own conditions after the policy's, and
 * lets one drive an index only if its operator is LEAKPROOF. Equality is; containment (jsonb @>,
 * array @>) is not. So for the app role conversations_metadata and conversations_tags were never
 * used: `metadata[unit]=4B` walked the org's conversations newest first through
 * conversations_list, testing each row (measured on a generated org: 45 ms at 100 k
 * conversations, growing linearly; `npm run bench -- read`).
 *
 * These two functions run the containment test as the tables' owner (no policy, so the index
 * answers) and are scoped by the same tenant setting the policies read, sb_org(): they return
 * the calling org's conversations only, nothing when no org is set. The list query
 * (core/conversations/service.ts) keeps running as the app role; it reads its rows from
 * sb_conversations_with_metadata (the matching rows themselves: no second lookup of each by
 * primary key) and takes `id IN (SELECT sb_conversations_tagged(…))` for a tag. No new index: conversations_metadata (jsonb_path_ops) and
 * conversations_tags exist since the engine and assignment migrations. Functions only, so
 * nothing here rewrites or locks a large table.
 *
 * Both read every match before the list sorts them: right for a selective filter (a unit, an
 * order number, a tag; ROWS 100 is the planner's guess of their number). A filter most of an
 * org's conversations match now reads all its matches, where the old plan stopped after the first
 * page of them.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    CREATE FUNCTION sb_conversations_with_metadata(p_contains jsonb) RETURNS SETOF conversations
      LANGUAGE sql STABLE SECURITY DEFINER ROWS 100 SET search_path = public, pg_temp AS $$
        SELECT * FROM conversations WHERE org_id = sb_org() AND metadata @> p_contains
      $$;
    CREATE FUNCTION sb_conversations_tagged(p_tag text) RETURNS SETOF uuid
      LANGUAGE sql STABLE SECURITY DEFINER ROWS 100 SET search_path = public, pg_temp AS $$
        SELECT id FROM conversations WHERE org_id = sb_org() AND tags @> ARRAY[p_tag]
      $$;
    REVOKE ALL ON FUNCTION sb_conversations_with_metadata(jsonb), sb_conversations_tagged(text) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION sb_conversations_with_metadata(jsonb), sb_conversations_tagged(text) TO ${APP_ROLE};
  `);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
