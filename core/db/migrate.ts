import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

/**
 * knex migrations, timestamped and forward-only, loaded from migrations/<set>/. Two sets:
 * `main` (engine tables) and `pii` (contact PII), each with its own bookkeeping table because
 * they may run against different databases.
 */
function source(set: 'main' | 'pii'): Knex.MigrationSource<string> {
  const dir = path.join(ROOT, set);
  return {
    getMigrations: async () => fs.readdirSync(dir).filter((f) => /^\d{14}_[\w-]+\.ts$/.test(f)).sort(),
    getMigrationName: (f) => f,
    getMigration: async (f) => import(pathToFileURL(path.join(dir, f)).href),
  };
}

/**
 * Replicas starting together would trip over knex's migration lock ("already locked") and crash;
 * a session advisory lock makes the later ones wait, then find nothing left to do. The owner
 * knex has a single pooled connection, so the lock and the migrations share one session.
 */
const LOCK_KEY = 'switchboard:migrate';

async function latest(knex: Knex, set: 'main' | 'pii', tableName: string): Promise<string[]> {
  await knex.raw('SELECT pg_advisory_lock(hashtext(?))', [LOCK_KEY]);
  try {
    const [, ran] = await knex.migrate.latest({ migrationSource: source(set), tableName });
    return ran;
  } finally {
    await knex.raw('SELECT pg_advisory_unlock(hashtext(?))', [LOCK_KEY]);
  }
}

export async function migrate(main: Knex, pii: Knex): Promise<string[]> {
  return [...(await latest(main, 'main', 'knex_migrations')), ...(await latest(pii, 'pii', 'knex_migrations_pii'))];
}
