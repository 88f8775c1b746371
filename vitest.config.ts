import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The whole suite, both modes (DATABASE_URL/REDIS_URL set or not), in two projects:
 * - shared: most files run in a few long-lived worker processes without isolation, so module
 *   loading (express, the connector SDKs, PGlite's WASM) is paid once per worker, not per file;
 * - isolated: files that change process-wide state (environment variables, nock's global
 *   interceptors, process listeners, module mocks) get a fresh process each.
 * test/global-setup.ts makes the migrated PGlite seed once for the run and builds the UIs if needed.
 */
const TESTS = ['{app,core,api,connectors,rules,ai,cli,test,sdk,deploy,widget,dashboard}/**/*.test.ts'];

// Files that need a process of their own: sdk-import asserts what loading node-quickbooks does,
// so nothing may have imported it before.
const ISOLATED = ['connectors/quickbooks/sdk-import.test.ts'];

// SWITCHBOARD_TEST_SCOPE=server (the mutation run, stryker.config.mjs): the browser tests and the
// built-asset checks test code Stryker does not mutate, and would rebuild bundles in its sandbox.
const NOT_SERVER = process.env.SWITCHBOARD_TEST_SCOPE === 'server'
  ? ['**/*.browser.test.ts', 'api/static/**', 'widget/**', 'dashboard/**', 'test/dashboard/**']
  : [];

// SWITCHBOARD_MUTATION=1 (test/mutation.mjs): Stryker's runner uses worker threads, so tsx is
// registered inside the thread (test/tsx-in-threads.ts). SWITCHBOARD_MUTATION_ISOLATE=1 (folders whose
// tests start a harness): Stryker reruns single tests of a file many times in one long-lived
// thread; without isolation, module state a file's after() hooks closed (pools, queues, nock) leaks
// into the next run and mutants are "killed" by broken setup, not by an assertion. A fresh module
// graph per run costs ~10x, so pure-function folders (the kit's signatures) run without it.
const MUTATION = process.env.SWITCHBOARD_MUTATION === '1';
const MUTATION_ISOLATE = MUTATION && process.env.SWITCHBOARD_MUTATION_ISOLATE === '1';

export default defineConfig({
  // tsconfig.json's paths, for connector packages that import the kit by its published name.
  resolve: {
    alias: [
      { find: /^@switchboard\/connector-kit$/, replacement: fileURLToPath(new URL('./connectors/kit/index.ts', import.meta.url)) },
      { find: /^@switchboard\/connector-kit\/harness$/, replacement: fileURLToPath(new URL('./connectors/kit/harness.ts', import.meta.url)) },
    ],
  },
  test: {
    globalSetup: ['test/global-setup.ts'],
    // Generous: node's runner had no timeouts; a 2-core CI box under load boots `switchboard start` in 60+ s.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    maxWorkers: 2,
    pool: 'forks',
    // Connector packages are TypeScript loaded at run time by path (connectors/kit/registry.ts),
    // outside vitest's module graph: node needs tsx's loader for them, as bin/switchboard.js has.
    execArgv: ['--import', 'tsx'],
    reporters: ['dot', './test/summary-reporter.ts'],
    setupFiles: MUTATION ? ['test/tsx-in-threads.ts'] : [],
    projects: [
      { extends: true, test: { name: 'shared', include: TESTS, exclude: ['**/node_modules/**', ...ISOLATED, ...NOT_SERVER], isolate: MUTATION_ISOLATE } },
      { extends: true, test: { name: 'isolated', include: ISOLATED, isolate: true } },
    ],
  },
});
