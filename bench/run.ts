/**
 * npm run bench -- <benchmark> [options]: one entry for the load generators in bench/. Each
 * benchmark prints throughput, p50/p95/p99 and the database's raw insert ceiling measured in the
 * same run (bench/lib/ceiling.ts), with the ratio. Without a benchmark name, `inbound` runs (the
 * command's meaning before it had sub-commands). `npm run bench -- <benchmark> --help` for options.
 */
import fs from 'node:fs';

// A benchmark is a bench/<name>.ts whose first line is `// bench: <one-line summary>`.
const BENCHMARKS: Record<string, string> = {};
for (const f of fs.readdirSync(new URL('.', import.meta.url)).sort()) {
  const m = /^([a-z-]+)\.ts$/.exec(f);
  const summary = m && /^\/\/ bench: (.*)$/.exec(fs.readFileSync(new URL(f, import.meta.url), 'utf8').split('\n', 1)[0]);
  if (m && summary) BENCHMARKS[m[1]] = summary[1];
}

const arg = process.argv[2];
const name = arg && !arg.startsWith('-') ? arg : 'inbound';
if (arg === 'help' || arg === '--list' || !BENCHMARKS[name]) {
  if (arg !== 'help' && arg !== '--list') process.stderr.write(`unknown benchmark "${name}"\n`);
  process.stdout.write(
    'Usage: npm run bench -- <benchmark> [options]   (options: npm run bench -- <benchmark> --help)\n' +
      Object.entries(BENCHMARKS).map(([n, s]) => `  ${n.padEnd(16)}${s}`).join('\n') + '\n',
  );
  process.exit(BENCHMARKS[name] || arg === 'help' || arg === '--list' ? 0 : 2);
}
// The benchmark parses its own options from process.argv: drop the sub-command name.
if (arg === name) process.argv.splice(2, 1);
await import(`./${name}.ts`);
