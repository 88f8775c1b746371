import zlib from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The admin dashboard: a static SPA in dashboard/dist, served by the API process at /.
 * The build prints the gzipped size of the JavaScript a first page load needs (the entry chunk and
 * what it imports statically; screens are lazy chunks) and fails above the budget.
 */
const INITIAL_JS_BUDGET = 250 * 1024;

function initialJsBudget(): Plugin {
  return {
    name: 'switchboard-initial-js-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((c) => c.type === 'chunk');
      const byName = new Map(chunks.map((c) => [c.fileName, c]));
      const initial = new Set<string>();
      const visit = (file: string) => {
        if (initial.has(file)) return;
        initial.add(file);
        for (const dep of byName.get(file)?.imports ?? []) visit(dep);
      };
      for (const c of chunks) if (c.isEntry) visit(c.fileName);
      const gz = [...initial].reduce((sum, f) => sum + zlib.gzipSync(byName.get(f)!.code).length, 0);
      const lazy = chunks.length - initial.size;
      const line = `dashboard: initial JS ${(gz / 1024).toFixed(1)} KB gzipped in ${initial.size} file(s) (budget ${INITIAL_JS_BUDGET / 1024} KB); ${lazy} lazy chunk(s)`;
      // Printed on stdout so `npm run build:dashboard` shows it beside Vite's table.
      process.stdout.write(`\n${line}\n`);
      if (gz > INITIAL_JS_BUDGET) this.error(`${line}: over budget`);
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react(), initialJsBudget()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No inline <script> or data: module preloads: the page's CSP allows scripts from 'self' only.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: { proxy: { '/v1': { target: 'http://localhost:3000', ws: true } } },
});
