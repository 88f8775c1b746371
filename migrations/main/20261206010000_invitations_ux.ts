import type { Knex } from 'knex';
import { runScript } from '../sql.ts';

/**
 * Invitations: a dashboard user invited by email (POST /v1/invitations) has invited_at set and
 * sets their own password on first sign-in through the invite link (invite_accepted_at). The
 * link's token is a sign_in_tokens row of kind 'invitation' (longer-lived than a platform's
 * 'sign_in' tokens, single use like them). An org reads its own platform's custom domains (the
 * invite link is on the platform's domain), as it reads its platform's branding.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `
    ALTER TABLE users ADD COLUMN invited_at timestamptz, ADD COLUMN invite_accepted_at timestamptz;
    ALTER TABLE sign_in_tokens ADD COLUMN kind text NOT NULL DEFAULT 'sign_in' CHECK (kind IN ('sign_in', 'invitation'));
    CREATE POLICY org_reads_its_platform_domains ON platform_domains FOR SELECT
      USING (platform_id = (SELECT o.platform_id FROM orgs o WHERE o.id = sb_org()));
  `);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
