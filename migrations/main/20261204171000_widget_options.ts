import type { Knex } from 'knex';
import { runScript } from '../sql.ts';

/**
 * The widget's look and behaviour (brand colour, theme, greeting, locale, channels, business
 * hours…) stored on its publishable key: the widget reads them when it opens a session, so an
 * admin changes the chat without anyone editing the page's snippet.
 */
export async function up(knex: Knex): Promise<void> {
  await runScript(knex, `ALTER TABLE publishable_keys ADD COLUMN widget_options jsonb NOT NULL DEFAULT '{}'::jsonb`);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only.');
}
