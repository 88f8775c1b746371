import type { Knex } from 'knex';
import { APP_ROLE, rlsSql, runScript } from '../sql.ts';

/**
 * OAuth2 tokens of connections and the CRM logging state.
 * - connection_tokens: one row per connection whose credentials the engine manages (OAuth2):
 *   access + refresh token sealed together (so a rotated refresh token is never stored apart from
 *   its access token), expiry and scopes in clear for the refresh decision, and the last refresh
 *   failure (a connection whose refresh was refused stops calling the provider until re-authorized).
 * - crm_log_state: per (connection, conversation) the position (created_at, id) of the last message
 *   logged to the CRM, so logging is incremental.
 * - crm_logged_messages: per (connection, message) the provider's id of the logged entry, so a
 *   replayed log job never logs a message twice.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    CREATE TABLE connection_tokens (
      connection_id uuid PRIMARY KEY REFERENCES connections(id),
      org_id uuid NOT NULL REFERENCES orgs(id),
      tokens_enc bytea NOT NULL,
      expires_at timestamptz,
      scopes text[] NOT NULL DEFAULT '{}',
      failure text,
      failed_at timestamptz,
      refreshed_at timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE crm_log_state (
      org_id uuid NOT NULL REFERENCES orgs(id),
      connection_id uuid NOT NULL REFERENCES connections(id),
      conversation_id uuid NOT NULL REFERENCES conversations(id),
      last_message_at timestamptz NOT NULL,
      last_message_id uuid NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (connection_id, conversation_id)
    );

    CREATE TABLE crm_logged_messages (
      org_id uuid NOT NULL REFERENCES orgs(id),
      connection_id uuid NOT NULL REFERENCES connections(id),
      message_id uuid NOT NULL,
      external_id text NOT NULL,
      logged_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (connection_id, message_id)
    );
  `);
  await runScript(knex, rlsSql(['connection_tokens', 'crm_log_state', 'crm_logged_messages']));
  await runScript(knex, `
    GRANT SELECT, INSERT, UPDATE, DELETE ON connection_tokens, crm_log_state, crm_logged_messages TO ${APP_ROLE};
  `);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
