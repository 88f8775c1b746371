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

export async function migrate(main: Knex, pii: Knex): Promise<string[]> {
  const [, ranMain] = await main.migrate.latest({ migrationSource: source('main'), tableName: 'knex_migrations' });
  const [, ranPii] = await pii.migrate.latest({ migrationSource: source('pii'), tableName: 'knex_migrations_pii' });
  return [...ranMain, ...ranPii];
}
