import type { Knex } from 'knex';
import { runScript } from '../sql.ts';

/**
 * What the connector runtime needs beyond 20261127050000_connections:
 * - messages.template_enc: a provider template (WhatsApp ContentSid / name) and its variables for
 *   an outbound message, encrypted (variables carry names, dates, amounts);
 * - raw_inbound.provider_message_ids: the provider ids a request mentioned (clear, like
 *   messages.provider_message_id), so a status callback that arrived before its send was recorded
 *   ("unmatched") is found and replayed once the send commits;
 * - the archive's statuses as a constraint, and the indexes the send job and replay read by.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    ALTER TABLE messages ADD COLUMN template_enc bytea;
    ALTER TABLE raw_inbound ADD COLUMN provider_message_ids text[] NOT NULL DEFAULT '{}';
    ALTER TABLE raw_inbound ADD CONSTRAINT raw_inbound_status CHECK (status IN ('received', 'processed', 'failed', 'unmatched'));
    CREATE INDEX raw_inbound_replay ON raw_inbound (connection_id, status, received_at);
    CREATE INDEX raw_inbound_unmatched ON raw_inbound USING gin (provider_message_ids) WHERE status = 'unmatched';
    CREATE INDEX connections_org_status ON connections (org_id, status, created_at);
    CREATE INDEX senders_connection ON senders (connection_id, channel, created_at);
  `);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
