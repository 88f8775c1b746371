import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { loadConfig } from '../core/config.ts';
import { createEngine, type Engine } from '../core/engine.ts';
import { createOrg } from '../core/orgs.ts';
import { appendEvent } from '../core/events/events.ts';
import { waitFor } from '../test/wait.ts';
import { cliEnv, runCli, startWorker, type CliEnv } from './testing.ts';

/**
 * `switchboard worker`: refused without PostgreSQL and Redis; with them, a process that relays
 * committed events (its relay cursor moves past a new event) and stops cleanly on SIGTERM.
 */
let ctx: CliEnv;
beforeAll(async () => {
  ctx = await cliEnv();
  ctx.env.SWITCHBOARD_MASTER_KEY = crypto.randomBytes(32).toString('base64');
});
afterAll(async () => ctx?.dispose());

test('the worker needs DATABASE_URL and REDIS_URL, and says so', async () => {
  const { DATABASE_URL: _d, REDIS_URL: _r, ...embedded } = ctx.env;
  const res = await runCli(['worker'], embedded);
  assert.equal(res.code, 1);
  assert.match(res.stderr, /set DATABASE_URL and REDIS_URL/);
});

test('with PostgreSQL and Redis the worker relays committed events and stops on SIGTERM', async ({ skip }) => {
  // Embedded mode has no worker process: `start` relays in-process (covered by server.test.ts).
  skip(ctx.mode === 'embedded', 'PostgreSQL + Redis only: embedded mode has no worker process');
  const engine: Engine = await createEngine(loadConfig(ctx.env));
  const worker = await startWorker(ctx.env);
  try {
    const { org } = await createOrg(engine, { name: 'Worker' });
    await engine.tenant(org.id, (tx) => appendEvent(tx, { type: 'test.worker', data: { n: 1 } }));
    const seq = await engine.tenant(org.id, async (tx) => (await tx.trx('events').max('seq as max').first())!.max as string);
    await waitFor(
      'the relay cursors to pass the new event',
      async () => {
        const rows = await engine.db.knex('relay_cursors').select('consumer', 'seq');
        return rows.length >= 2 && rows.every((r) => BigInt(r.seq) >= BigInt(seq));
      },
      20_000,
      100,
    );
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0, worker.output());
  } finally {
    if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await engine.close();
  }
});
