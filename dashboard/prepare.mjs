// `npm install` / `npm ci` run this (package.json "prepare"): build the dashboard when its dist is
// missing or older than its sources. Quietly skipped where Vite is not installed (e.g.
// `npm ci --omit=dev` in a production image, which copies a dist built in its build stage).
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(dir);
const vite = path.join(root, 'node_modules/vite/bin/vite.js');
if (!fs.existsSync(vite)) process.exit(0);

const newest = (p) => {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...fs.readdirSync(p).map((f) => newest(path.join(p, f))));
};
const built = path.join(dir, 'dist', 'index.html');
const sources = ['src', 'index.html', 'vite.config.ts', 'tsconfig.json'].map((f) => path.join(dir, f)).filter((f) => fs.existsSync(f));
const stale = !fs.existsSync(built) || Math.max(...sources.map(newest)) > fs.statSync(built).mtimeMs;
if (!stale) process.exit(0);
const r = spawnSync(process.execPath, [vite, 'build', '--config', path.join(dir, 'vite.config.ts')], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
