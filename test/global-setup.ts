import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pgliteSeed } from './pglite-seed.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The UIs are built as `npm ci` builds them: NODE_ENV=test would give Vite a development React
// build, not the production bundle the server ships (and the dashboard tests check).
const { NODE_ENV: _testEnv, ...BUILD_ENV } = process.env;

/**
 * Runs once, in vitest's main process, before any worker starts:
 * - makes the migrated PGlite seed (test/pglite-seed.ts), so no two workers migrate an empty
 *   cluster at the same time; workers load it from the temp directory (real mode needs none);
 * - builds the dashboard and the widget when their dist is missing (a clean clone whose `npm ci` did not build it):
 *   the widget's browser tests serve the built files.
 */
export default async function setup(): Promise<void> {
  // The dashboard's own freshness check (what `npm ci` runs as "prepare"): builds it when missing or stale.
  // A second run started at the same time loses Vite's build lock; by then the first has built it.
  const prepare = () => spawnSync(process.execPath, ['dashboard/prepare.mjs'], { cwd: ROOT, stdio: 'inherit', env: BUILD_ENV }).status === 0;
  if (!prepare() && !prepare()) throw new Error('dashboard/prepare.mjs failed: the dashboard browser tests need dashboard/dist');
  if (!fs.existsSync(path.join(ROOT, 'dist/widget/manifest.json'))) {
    const build = spawnSync('npm', ['run', 'build:widget'], { cwd: ROOT, stdio: 'inherit', env: BUILD_ENV });
    if (build.status !== 0) throw new Error('npm run build:widget failed: the widget browser tests need dist/widget');
  }
  if (!process.env.DATABASE_URL) await pgliteSeed();
}
