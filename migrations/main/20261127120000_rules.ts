import type { Knex } from 'knex';
import { APP_ROLE, rlsSql, runScript } from '../sql.ts';

/**
 * Rules (rules/): the current definition of each rule, every version it had (executions point at
 * the version that ran), and one execution row per (rule, version, event): the row is what makes
 * a replayed event idempotent — its per-action log says what was already done.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(
    knex,
    `
    CREATE TABLE rules (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
      version int NOT NULL,
      name text NOT NULL,
      trigger text NOT NULL,
      priority int NOT NULL DEFAULT 100,
      enabled boolean NOT NULL DEFAULT true,
      definition jsonb NOT NULL,
      deleted_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX rules_org_trigger ON rules (org_id, trigger, priority) WHERE deleted_at IS NULL AND enabled;

    CREATE TABLE rule_versions (
      rule_id uuid NOT NULL REFERENCES rules(id) ON DELETE CASCADE,
      version int NOT NULL,
      org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
      definition jsonb NOT NULL,
      created_by text,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (rule_id, version)
    );

    CREATE TABLE rule_executions (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
      rule_id uuid NOT NULL REFERENCES rules(id) ON DELETE CASCADE,
      rule_version int NOT NULL,
      event_id uuid NOT NULL,
      event_type text NOT NULL,
      depth int NOT NULL DEFAULT 0,
      decision text,
      status text NOT NULL DEFAULT 'running',
      actions jsonb NOT NULL DEFAULT '[]',
      results_enc bytea,
      error text,
      attempts int NOT NULL DEFAULT 0,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (rule_id, rule_version, event_id)
    );
    CREATE INDEX rule_executions_rule ON rule_executions (org_id, rule_id, created_at DESC, id DESC);
  `,
  );
  await runScript(knex, rlsSql(['rules', 'rule_versions', 'rule_executions']));
  await runScript(
    knex,
    `
    GRANT SELECT, INSERT, UPDATE ON rules TO ${APP_ROLE};
    GRANT SELECT, INSERT ON rule_versions TO ${APP_ROLE};
    GRANT SELECT, INSERT, UPDATE, DELETE ON rule_executions TO ${APP_ROLE};
  `,
  );
}

export async function down(): Promise<void> {
  throw new Error('forward-only migrations');
}
