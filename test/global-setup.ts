import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pgliteSeed } from './pglite-seed.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The UIs are built as `npm ci` builds them: NODE_ENV=test would give Vite a development React
// build, not the production bundle the server ships (and the browser tests check).
const { NODE_ENV: _testEnv, ...BUILD_ENV } = process.env;

/**
 * Runs once, in vitest's main process, before any worker starts:
 * - builds the dashboard and the widget when missing or stale (dashboard/prepare.mjs, what
 *   `npm ci` runs as "prepare"): their browser tests are served the built files;
 * - makes the migrated PGlite seed (test/pglite-seed.ts), so no two workers migrate an empty
 *   cluster at the same time; workers load it from the temp directory (real mode needs none).
 */
export default async function setup(): Promise<void> {
  // A second run started at the same time loses Vite's build lock; by then the first has built it.
  const prepare = () => spawnSync(process.execPath, ['dashboard/prepare.mjs'], { cwd: ROOT, stdio: 'inherit', env: BUILD_ENV }).status === 0;
  if (!prepare() && !prepare()) throw new Error('dashboard/prepare.mjs failed: the browser tests need dashboard/dist and dist/widget');
  if (!process.env.DATABASE_URL) await pgliteSeed();
}
