// bench: the website widget's size budget (npm run build:widget first); also npm run bench:widget
/**
 * npm run bench:widget — the website widget's size budget: widget.js ≤ 35 KB gzipped, read from the
 * manifest the build writes (npm run build:widget first). Exits non-zero over budget.
 */
import { readWidgetManifest } from '../api/static/widget.ts';
import { WIDGET_BUDGET_GZIP } from '../widget/budget.ts';

const m = readWidgetManifest();
if (!m) {
  console.error('dist/widget/manifest.json is missing: run npm run build:widget first.');
  process.exit(2);
}
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
console.log(`widget.js ${kb(m.bytes)}, gzipped ${kb(m.gzipBytes)} (budget ${kb(WIDGET_BUDGET_GZIP)}) version ${m.version}`);
if (m.gzipBytes > WIDGET_BUDGET_GZIP) {
  console.error(`over budget by ${kb(m.gzipBytes - WIDGET_BUDGET_GZIP)}`);
  process.exit(1);
}
