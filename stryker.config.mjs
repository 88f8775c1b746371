/**
 * Mutation testing (npm run test:mutation): Stryker changes the production code one small way at a
 * time (a flipped comparison, a removed check, a changed constant) and runs the tests that cover
 * the changed line; a mutant no test notices is a gap in the tests. Slow (minutes per folder on two
 * cores), so a benchmark, not a CI gate. `npm run test:mutation` (test/mutation.mjs) runs the folders
 * the issue names one at a time, each with its own test files, and prints a score table;
 * `npm run test:mutation -- audit` runs one folder.
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.config.ts', related: true },
  plugins: ['@stryker-mutator/vitest-runner'],
  mutate: [
    'core/compliance/**/*.ts',
    'core/webhooks/**/*.ts',
    'core/audit/**/*.ts',
    'core/conversations/**/*.ts',
    'rules/**/*.ts',
    'connectors/kit/signatures/**/*.ts',
    '!**/*.test.ts',
  ],
  coverageAnalysis: 'perTest',
  // Stryker's default prepends `// @ts-nocheck` and strips other type-check comments from every
  // TypeScript file it copies; that rewrite broke files (we type-check with tsc, not in the runner),
  // so the files are copied as they are.
  disableTypeChecks: false,
  // Static mutants (module-level constants, run once at import) each need a fresh module graph:
  // very slow, and what they change is covered by the tests of the functions that read them.
  ignoreStatic: true,
  concurrency: 1,
  timeoutMS: 60_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  // test/mutation.mjs runs one folder at a time and names each folder's reports.
  htmlReporter: { fileName: `test-results/mutation/${process.env.STRYKER_REPORT_NAME ?? 'all'}/index.html` },
  jsonReporter: { fileName: `test-results/mutation/${process.env.STRYKER_REPORT_NAME ?? 'all'}/mutation.json` },
  tempDirName: '.stryker-tmp',
  // The sandbox sits inside the project, so modules resolve from the project's own node_modules (a
  // symlink to a symlinked node_modules, as in a git worktree, does not resolve).
  symlinkNodeModules: false,
  thresholds: { high: 85, low: 70, break: null },
};
