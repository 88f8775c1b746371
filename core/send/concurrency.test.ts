import assert from 'node:assert/strict';
import { test } from 'vitest';
import { loadConfig } from '../config.ts';

/** SEND_CONCURRENCY: send jobs in flight per process (core/send/worker.ts hands it to the queue). */
test('SEND_CONCURRENCY defaults to 16, takes 1–512, and a bad value stops the start naming it', () => {
  assert.equal(loadConfig({}).sendConcurrency, 16);
  assert.equal(loadConfig({ SEND_CONCURRENCY: '64' }).sendConcurrency, 64);
  assert.throws(() => loadConfig({ SEND_CONCURRENCY: '0' }), /SEND_CONCURRENCY must be an integer between 1 and 512/);
  assert.throws(() => loadConfig({ SEND_CONCURRENCY: 'many' }), /SEND_CONCURRENCY must be an integer between 1 and 512/);
});
