import type { Knex } from 'knex';
import { APP_ROLE, rlsSql, runScript } from '../sql.ts';

/**
 * Channel provisioning:
 * - senders learn where their registration came from: provider_id (Twilio PN…, Meta phone number
 *   id: a release or a re-point names it), provider_status (the provider's own word, e.g. a 10DLC
 *   campaign's VERIFIED) and registration_checked_at (the last time the provider was asked);
 *   quality_rating / messaging_limit carry WhatsApp's number signals;
 * - channel_templates: the provider's message templates as last synced, per connection, with the
 *   variables each expects (a send naming a template is checked against them before it is queued);
 * - connection_health: the last wiring check of each connection, so a degradation is noticed once
 *   (connection.health_changed) and not at every check.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    ALTER TABLE senders
      ADD COLUMN provider_id text,
      ADD COLUMN provider_status text,
      ADD COLUMN registration_checked_at timestamptz,
      ADD COLUMN quality_rating text,
      ADD COLUMN messaging_limit text;

    CREATE TABLE channel_templates (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id),
      connection_id uuid NOT NULL REFERENCES connections(id),
      provider_id text NOT NULL,
      name text NOT NULL,
      language text NOT NULL,
      category text,
      status text NOT NULL,
      components jsonb NOT NULL DEFAULT '[]',
      variables jsonb NOT NULL DEFAULT '[]',
      synced_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (connection_id, name, language)
    );

    CREATE TABLE connection_health (
      connection_id uuid PRIMARY KEY REFERENCES connections(id),
      org_id uuid NOT NULL REFERENCES orgs(id),
      status text NOT NULL,
      problems jsonb NOT NULL DEFAULT '[]',
      checked_at timestamptz NOT NULL DEFAULT now(),
      changed_at timestamptz NOT NULL DEFAULT now()
    );
  `);
  await runScript(knex, rlsSql(['channel_templates', 'connection_health']));
  await runScript(knex, `GRANT SELECT, INSERT, UPDATE, DELETE ON channel_templates, connection_health TO ${APP_ROLE};`);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
