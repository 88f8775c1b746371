import { test } from 'vitest';
import assert from 'node:assert/strict';
import { loadConfig } from '../core/config.ts';

/** API_PROCESSES (switchboard start, cli/api-cluster.ts): one by default, several only in production mode. */
const production = { DATABASE_URL: 'postgres://app@127.0.0.1:5432/sb', REDIS_URL: 'redis://127.0.0.1:6379' };

test('one API process unless API_PROCESSES says more', () => {
  assert.equal(loadConfig({}).apiProcesses, 1);
  assert.equal(loadConfig({ ...production, API_PROCESSES: '2' }).apiProcesses, 2);
});

test('several API processes need production mode; a bad count is refused', () => {
  assert.throws(() => loadConfig({ API_PROCESSES: '2' }), /API_PROCESSES above 1 needs production mode/);
  assert.throws(() => loadConfig({ ...production, API_PROCESSES: '0' }), /API_PROCESSES must be an integer between 1 and 64/);
  assert.throws(() => loadConfig({ ...production, API_PROCESSES: 'two' }), /API_PROCESSES must be an integer/);
});
