/**
 * npm run build:widget — builds the chat widget (Preact, two entry points: the script-tag IIFE
 * widget.js and the ES module widget.mjs) and the UI kit's example page (React) into dist/, writes
 * dist/widget/manifest.json (content-hash version + SRI integrity, for the versioned URL and the
 * dashboard's snippet) and prints the gzipped sizes. The budget (35 KB gzipped for widget.js) is
 * printed here and checked by the benchmark, not by a timed test.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { build, type InlineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { WIDGET_BUDGET_GZIP } from './budget.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'dist/widget');
const KIT_OUT = path.join(ROOT, 'dist/kit');

const common: InlineConfig = {
  configFile: false,
  root: ROOT,
  logLevel: 'warn',
  define: { 'process.env.NODE_ENV': '"production"' },
};

async function widget(entry: string, format: 'iife' | 'es', fileName: string, emptyOutDir: boolean) {
  await build({
    ...common,
    build: {
      outDir: OUT,
      emptyOutDir,
      target: 'es2020',
      minify: true,
      sourcemap: false,
      lib: { entry: path.join(ROOT, entry), formats: [format], name: 'SwitchboardWidget', fileName: () => fileName },
    },
  });
}

async function kit() {
  await build({
    ...common,
    root: path.join(ROOT, 'widget/kit/example'),
    base: '/kit/',
    plugins: [react()],
    build: { outDir: KIT_OUT, emptyOutDir: true, target: 'es2020', sourcemap: false, minify: !process.env.KIT_DEBUG },
  });
}

const gz = (b: Buffer) => zlib.gzipSync(b, { level: 9 }).length;
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

await widget('widget/src/loader.ts', 'iife', 'widget.js', true);
await widget('widget/src/index.ts', 'es', 'widget.mjs', false);
await kit();

const js = fs.readFileSync(path.join(OUT, 'widget.js'));
const version = crypto.createHash('sha256').update(js).digest('hex').slice(0, 16);
const manifest = {
  version,
  path: `/widget/${version}/widget.js`,
  integrity: `sha384-${crypto.createHash('sha384').update(js).digest('base64')}`,
  bytes: js.length,
  gzipBytes: gz(js),
};
fs.writeFileSync(path.join(OUT, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');

const rows: [string, Buffer][] = [
  ['widget.js', js],
  ['widget.mjs', fs.readFileSync(path.join(OUT, 'widget.mjs'))],
  ...fs.readdirSync(path.join(KIT_OUT, 'assets')).filter((f) => f.endsWith('.js') || f.endsWith('.css')).map((f) => [`kit/assets/${f}`, fs.readFileSync(path.join(KIT_OUT, 'assets', f))] as [string, Buffer]),
];
console.log('widget build (gzipped):');
for (const [name, buf] of rows) console.log(`  ${name.padEnd(36)} ${kb(buf.length).padStart(9)}  gzip ${kb(gz(buf)).padStart(8)}`);
console.log(`  widget.js budget ${kb(WIDGET_BUDGET_GZIP)} gzipped: ${manifest.gzipBytes <= WIDGET_BUDGET_GZIP ? 'within' : 'OVER'}; SRI ${manifest.integrity}`);
