import type { Knex } from 'knex';
import { runScript } from '../sql.ts';

/**
 * Conversations get an assignee (a dashboard user of the org) and tags as columns of their own,
 * so the inbox can filter on them with an index and the API can validate them.
 *
 * The rules engine wrote both into metadata before (tag → metadata.tags; assign → metadata.assignee,
 * a free-form host-app reference). There is now one place for each:
 * - metadata.tags arrays move into `tags` (normalized as the API does: trimmed, lowercased, spaces
 *   → '-', at most 20 of at most 50 characters) and leave metadata;
 * - a stored rule's `assign {assignee}` (a host-app reference, not a user) becomes the
 *   `set_metadata {metadata: {assignee}}` it always was in effect, in the rule and its versions,
 *   so existing rules keep doing exactly what they did; `assign` now takes `assigneeId`.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    ALTER TABLE conversations
      ADD COLUMN assignee_id uuid REFERENCES users(id) ON DELETE SET NULL,
      ADD COLUMN tags text[] NOT NULL DEFAULT '{}';
    CREATE INDEX conversations_assignee ON conversations (org_id, assignee_id, created_at DESC, id DESC);
    CREATE INDEX conversations_tags ON conversations USING gin (tags);
    CREATE INDEX conversations_activity ON conversations (org_id, last_message_at DESC, id DESC);

    UPDATE conversations c SET
      tags = coalesce((
        SELECT (array_agg(DISTINCT t))[1:20] FROM (
          SELECT left(regexp_replace(lower(trim(e)), '\\s+', '-', 'g'), 50) AS t
          FROM jsonb_array_elements_text(c.metadata->'tags') AS e
        ) n WHERE t <> ''
      ), '{}'),
      metadata = c.metadata - 'tags'
    WHERE jsonb_typeof(c.metadata->'tags') = 'array';

  `);
  for (const table of ['rules', 'rule_versions']) await knex.raw(assignToSetMetadata(table));
}

/** Rewrites every stored `assign {assignee}` action of a table's rule definitions, in order. */
const assignToSetMetadata = (table: string) => `
  UPDATE ${table} SET definition = jsonb_set(definition, '{actions}', (
    SELECT jsonb_agg(CASE WHEN a->>'type' = 'assign' AND a->'assignee' IS NOT NULL
      THEN jsonb_build_object('type', 'set_metadata', 'metadata', jsonb_build_object('assignee', a->'assignee'))
           || CASE WHEN a->'conversationId' IS NOT NULL THEN jsonb_build_object('conversationId', a->'conversationId') ELSE '{}'::jsonb END
      ELSE a END ORDER BY i)
    FROM jsonb_array_elements(definition->'actions') WITH ORDINALITY AS x(a, i)))
  WHERE jsonb_typeof(definition->'actions') = 'array' AND jsonb_array_length(definition->'actions') > 0`;

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
