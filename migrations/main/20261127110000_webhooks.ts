import type { Knex } from 'knex';
import { APP_ROLE, rlsSql, runScript } from '../sql.ts';

/**
 * Outbound webhooks (Standard Webhooks).
 *
 * webhook_subscriptions: an org's endpoints. Secrets are encrypted (`secret_enc`); after a
 * rotation the previous secret keeps signing until previous_secret_expires_at.
 * webhook_cursors: per org, the feed position up to which events were fanned out to deliveries.
 * Fan-out runs under this row's lock, so deliveries are created once and in feed order.
 * webhook_deliveries: one per (subscription, event); its id is the webhook-id header, stable across
 * retries. The payload is not stored: it is rebuilt from the (encrypted) event at each attempt.
 * `ord` records creation order (= feed order per org): deliveries of one conversation to one
 * endpoint are sent in `ord` order. webhook_attempts: every HTTP attempt (status, duration, error
 * class, the receiver's response truncated to 2 KB).
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    CREATE TABLE webhook_subscriptions (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id),
      url text NOT NULL,
      event_types text[] NOT NULL,
      filter jsonb NOT NULL DEFAULT '{}',
      description text,
      enabled boolean NOT NULL DEFAULT true,
      disabled_reason text,
      secret_enc bytea NOT NULL,
      previous_secret_enc bytea,
      previous_secret_expires_at timestamptz,
      failing_since timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX webhook_subscriptions_list ON webhook_subscriptions (org_id, created_at DESC, id DESC);

    CREATE TABLE webhook_cursors (
      org_id uuid PRIMARY KEY REFERENCES orgs(id),
      tx xid8 NOT NULL,
      seq bigint NOT NULL
    );

    CREATE TABLE webhook_deliveries (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id),
      subscription_id uuid NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
      event_id uuid NOT NULL,
      event_type text NOT NULL,
      event_seq bigint NOT NULL,
      conversation_id uuid,
      ord bigint GENERATED ALWAYS AS IDENTITY,
      ordered boolean NOT NULL DEFAULT true,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
      attempts int NOT NULL DEFAULT 0,
      step int NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      last_status_code int,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (subscription_id, event_id)
    );
    CREATE INDEX webhook_deliveries_list ON webhook_deliveries (org_id, subscription_id, created_at DESC, id DESC);
    CREATE INDEX webhook_deliveries_order ON webhook_deliveries (subscription_id, conversation_id, ord) WHERE status = 'pending' AND ordered;
    CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (org_id) WHERE status = 'pending';

    CREATE TABLE webhook_attempts (
      id uuid PRIMARY KEY,
      org_id uuid NOT NULL REFERENCES orgs(id),
      delivery_id uuid NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
      attempt int NOT NULL,
      started_at timestamptz NOT NULL,
      duration_ms int NOT NULL,
      status_code int,
      error_class text,
      response_body text,
      outcome text NOT NULL CHECK (outcome IN ('succeeded', 'retry', 'failed'))
    );
    CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempt);
  `);
  await runScript(knex, rlsSql(['webhook_subscriptions', 'webhook_cursors', 'webhook_deliveries', 'webhook_attempts']));
  await runScript(knex, `
    GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_subscriptions TO ${APP_ROLE};
    GRANT SELECT, INSERT, UPDATE ON webhook_cursors TO ${APP_ROLE};
    GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_deliveries TO ${APP_ROLE};
    GRANT SELECT, INSERT, DELETE ON webhook_attempts TO ${APP_ROLE};
  `);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
