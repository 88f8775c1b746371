// `npm install` / `npm ci` run this (package.json "prepare"): build each browser UI — the
// dashboard, and the chat widget with the UI kit — when its output is missing or older than its
// sources. Quietly skipped where Vite is not installed (e.g. `npm ci --omit=dev` in a production
// image, which copies the outputs built in its build stage).
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const vite = path.join(root, 'node_modules/vite/bin/vite.js');
if (!fs.existsSync(vite)) process.exit(0);

/** Each UI: the file its build writes last, the sources it is built from, the build command. */
const uis = [
  {
    name: 'dashboard',
    built: 'dashboard/dist/index.html',
    sources: ['dashboard/src', 'dashboard/index.html', 'dashboard/vite.config.ts', 'dashboard/tsconfig.json'],
    build: [vite, 'build', '--config', 'dashboard/vite.config.ts'],
  },
  {
    name: 'widget and UI kit',
    built: 'dist/widget/manifest.json',
    sources: ['widget/src', 'widget/kit', 'widget/build.ts', 'widget/budget.ts'],
    build: ['--import', 'tsx', 'widget/build.ts'],
  },
];

const newest = (p) => {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(0, ...fs.readdirSync(p).map((f) => newest(path.join(p, f))));
};
const at = (p) => path.join(root, p);

for (const ui of uis) {
  const sources = ui.sources.map(at).filter((f) => fs.existsSync(f));
  if (!sources.length) continue;
  const built = at(ui.built);
  const stale = !fs.existsSync(built) || Math.max(...sources.map(newest)) > fs.statSync(built).mtimeMs;
  if (!stale) continue;
  console.log(`prepare: building the ${ui.name}`);
  const r = spawnSync(process.execPath, ui.build, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
