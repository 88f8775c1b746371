import type { Knex } from 'knex';
import { APP_ROLE, rlsSql, runScript } from '../sql.ts';

/**
 * AI enrichment (ai/). ai_enrichments: one result per subject (a message, or a conversation) and
 * version (the message id, or the conversation's latest message id), so asking again without a
 * new message returns the stored one; the result is sealed (summaries carry content). ai_usage:
 * external tokens per org and calendar month, for the budget. sb_orgs_with_ai: which orgs of a
 * relay batch enrich automatically (ids in, ids out).
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    CREATE TABLE ai_enrichments (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id),
      subject_type text NOT NULL CHECK (subject_type IN ('message', 'conversation')),
      subject_id uuid NOT NULL,
      conversation_id uuid NOT NULL REFERENCES conversations(id),
      version text NOT NULL,
      tasks text[] NOT NULL,
      provider text NOT NULL,
      model text,
      connection_id uuid REFERENCES connections(id),
      -- why an external provider was not used or failed (a code, never content)
      fallback text,
      result_enc bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (org_id, subject_type, subject_id, version)
    );
    CREATE INDEX ai_enrichments_subject ON ai_enrichments (org_id, subject_type, subject_id, created_at DESC);
    CREATE TABLE ai_usage (
      org_id uuid NOT NULL REFERENCES orgs(id),
      month text NOT NULL,
      calls integer NOT NULL DEFAULT 0,
      prompt_tokens bigint NOT NULL DEFAULT 0,
      completion_tokens bigint NOT NULL DEFAULT 0,
      total_tokens bigint NOT NULL DEFAULT 0,
      budget_exceeded_at timestamptz,
      PRIMARY KEY (org_id, month)
    );
  `);
  await runScript(knex, rlsSql(['ai_enrichments', 'ai_usage']));
  await runScript(knex, `
    GRANT SELECT, INSERT, DELETE ON ai_enrichments TO ${APP_ROLE};
    GRANT SELECT, INSERT, UPDATE ON ai_usage TO ${APP_ROLE};
    CREATE FUNCTION sb_orgs_with_ai(p_orgs uuid[]) RETURNS SETOF uuid
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT id FROM orgs WHERE id = ANY (p_orgs)
          AND (coalesce(settings #>> '{ai,onInboundMessage,enabled}', 'true') <> 'false'
            OR coalesce(settings #>> '{ai,onConversationClosed,enabled}', 'true') <> 'false')
      $$;
    REVOKE ALL ON FUNCTION sb_orgs_with_ai(uuid[]) FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION sb_orgs_with_ai(uuid[]) TO ${APP_ROLE};
  `);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
