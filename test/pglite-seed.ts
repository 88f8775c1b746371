import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { migratedPgliteDump } from '../core/db/database.ts';

/**
 * The migrated PGlite every embedded test engine starts from. Migrating an empty cluster costs
 * seconds per harness; the dump is made once per (migrations, PGlite version), kept in the temp
 * directory for the whole run (and the next), and loaded in well under a second. Test files run in
 * parallel processes: a dump is written to a temporary name and renamed, so a reader never sees half.
 */
const MIGRATIONS = new URL('../migrations/', import.meta.url);

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)])).sort();
}

function seedKey(): string {
  const hash = crypto.createHash('sha256');
  // The installed PGlite's version (its package.json is not exported, so it is read as a file).
  const pglite = JSON.parse(fs.readFileSync(pglitePackageJson(), 'utf8')) as { version: string };
  hash.update(pglite.version);
  const root = MIGRATIONS.pathname;
  for (const file of filesUnder(root)) hash.update(path.relative(root, file)).update(fs.readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

let seed: Promise<Blob> | undefined;

export function pgliteSeed(): Promise<Blob> {
  seed ??= (async () => {
    const file = path.join(os.tmpdir(), `sb-pglite-seed-${seedKey()}.tar.gz`);
    if (!fs.existsSync(file)) {
      const dump = Buffer.from(await (await migratedPgliteDump()).arrayBuffer());
      const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
      fs.writeFileSync(tmp, dump);
      fs.renameSync(tmp, file);
    }
    return new Blob([fs.readFileSync(file)]);
  })();
  return seed;
}

/** PGlite's package.json, found from where its entry resolves (its exports hide the file; a mutation sandbox has no node_modules of its own). */
function pglitePackageJson(): string {
  for (let dir = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file) && JSON.parse(fs.readFileSync(file, 'utf8')).name === '@electric-sql/pglite') return file;
  }
  throw new Error('@electric-sql/pglite is not installed');
}
