#!/usr/bin/env node
/**
 * npm run test:mutation [-- <folder>...]: Stryker over the folders issue 9 names, one folder at a
 * time, each against the test files that exercise it (--mutate + --testFiles), then one table:
 * mutants, score and minutes per folder, and the total. One folder takes minutes, the lot an hour
 * or more on two cores, so it is a benchmark, not a CI gate.
 *
 *   npm run test:mutation                       # every folder below
 *   npm run test:mutation -- signatures audit   # just these
 *   DATABASE_URL=... REDIS_URL=... npm run test:mutation -- audit   # against real services
 *
 * Stryker's own flags work for a one-off: npx stryker run --mutate 'core/audit/seal.ts' --testFiles core/audit/audit.test.ts
 * (with SWITCHBOARD_MUTATION=1 SWITCHBOARD_TEST_SCOPE=server NODE_ENV=test, as below, and
 * SWITCHBOARD_MUTATION_ISOLATE=1 when the tests start a harness).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Each folder: what Stryker mutates and which test files it runs (the folder's own tests plus the
// API/CLI tests that drive it). Keep the lists narrow: every file is run once in the dry run.
// isolate: a fresh module graph for every test run (vitest.config.ts, SWITCHBOARD_MUTATION_ISOLATE):
// needed where tests start a harness (database, queues), ~10x slower; pure functions go without.
export const FOLDERS = {
  signatures: {
    mutate: ['connectors/kit/signatures/**/*.ts'],
    tests: ['connectors/kit/signatures/signatures.test.ts', 'connectors/kit/signatures/edges.test.ts', 'connectors/kit/csv.test.ts'],
    isolate: false,
  },
  audit: {
    mutate: ['core/audit/**/*.ts', '!core/audit/testing.ts'],
    tests: ['core/audit/audit.test.ts', 'core/audit/chain.test.ts'],
  },
  conversations: {
    mutate: ['core/conversations/**/*.ts'],
    tests: ['core/conversations/threading.test.ts', 'core/conversations/shape.test.ts', 'api/routes/conversations.test.ts', 'api/routes/conversations-inbox.test.ts'],
  },
  webhooks: {
    mutate: ['core/webhooks/**/*.ts'],
    tests: ['core/webhooks/webhooks.test.ts', 'core/webhooks/retry.test.ts', 'core/webhooks/payload.test.ts', 'core/webhooks/egress.test.ts'],
  },
  compliance: {
    mutate: ['core/compliance/**/*.ts'],
    tests: [
      'core/compliance/consent.test.ts', 'core/compliance/decisions.test.ts', 'core/compliance/hipaa.test.ts', 'core/compliance/preflight.test.ts',
      'core/compliance/redaction.test.ts', 'core/compliance/redaction-storage.test.ts', 'core/compliance/retention.test.ts',
      'api/routes/legal-holds.test.ts', 'api/routes/messages-preflight.test.ts',
    ],
  },
  rules: {
    mutate: ['rules/**/*.ts'],
    tests: ['rules/rules.test.ts', 'rules/hours.test.ts', 'rules/operators.test.ts', 'rules/actions/crm-actions.test.ts', 'api/routes/rules-editor.test.ts'],
  },
};

const asked = process.argv.slice(2);
for (const name of asked) {
  if (!(name in FOLDERS)) {
    console.error(`unknown folder "${name}"; one of: ${Object.keys(FOLDERS).join(', ')}`);
    process.exit(2);
  }
}
const names = asked.length ? asked : Object.keys(FOLDERS);
const rows = [];
for (const name of names) {
  const { mutate, tests, isolate: folderIsolate = true } = FOLDERS[name];
  // SWITCHBOARD_MUTATION_ISOLATE=0/1 in the environment overrides the folder's choice.
  const isolate = process.env.SWITCHBOARD_MUTATION_ISOLATE ? process.env.SWITCHBOARD_MUTATION_ISOLATE === '1' : folderIsolate;
  const started = Date.now();
  const run = spawnSync('npx', ['stryker', 'run', '--mutate', [...mutate, '!**/*.test.ts'].join(','), '--testFiles', tests.join(',')], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, NODE_ENV: 'test', SWITCHBOARD_TEST_SCOPE: 'server', SWITCHBOARD_MUTATION: '1', SWITCHBOARD_MUTATION_ISOLATE: isolate ? '1' : '0', STRYKER_REPORT_NAME: name },
  });
  const minutes = (Date.now() - started) / 60_000;
  const report = path.join(ROOT, 'test-results/mutation', name, 'mutation.json');
  if (run.status !== 0 || !existsSync(report)) {
    rows.push({ name, minutes, error: `stryker exited ${run.status}` });
    continue;
  }
  rows.push({ name, minutes, ...count(JSON.parse(readFileSync(report, 'utf8'))) });
}

/** Stryker's score: detected (killed + timeout) over valid mutants (detected + survived + no coverage). */
function count(report) {
  const c = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, other: 0 };
  for (const file of Object.values(report.files)) {
    for (const m of file.mutants) {
      if (m.status === 'Killed') c.killed++;
      else if (m.status === 'Timeout') c.timeout++;
      else if (m.status === 'Survived') c.survived++;
      else if (m.status === 'NoCoverage') c.noCoverage++;
      else c.other++; // Ignored, CompileError, RuntimeError: not counted, as Stryker does
    }
  }
  return c;
}

const pct = (c) => {
  const valid = c.killed + c.timeout + c.survived + c.noCoverage;
  return valid ? (100 * (c.killed + c.timeout)) / valid : 100;
};
console.log('\nMutation score by folder');
console.log('folder          mutants  killed  survived  no-cov   score   minutes');
const total = { killed: 0, timeout: 0, survived: 0, noCoverage: 0 };
for (const r of rows) {
  if (r.error) {
    console.log(`${r.name.padEnd(15)} ${r.error}`);
    continue;
  }
  for (const k of Object.keys(total)) total[k] += r[k];
  const mutants = r.killed + r.timeout + r.survived + r.noCoverage;
  console.log(`${r.name.padEnd(15)} ${String(mutants).padStart(7)} ${String(r.killed + r.timeout).padStart(7)} ${String(r.survived).padStart(9)} ${String(r.noCoverage).padStart(7)} ${pct(r).toFixed(2).padStart(6)} % ${r.minutes.toFixed(1).padStart(8)}`);
}
const all = total.killed + total.timeout + total.survived + total.noCoverage;
console.log(`${'total'.padEnd(15)} ${String(all).padStart(7)} ${String(total.killed + total.timeout).padStart(7)} ${String(total.survived).padStart(9)} ${String(total.noCoverage).padStart(7)} ${pct(total).toFixed(2).padStart(6)} %`);
console.log(`mutation score: ${pct(total).toFixed(2)} %`);
process.exit(rows.some((r) => r.error) ? 1 : 0);
