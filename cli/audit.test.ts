import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { loadConfig } from '../core/config.ts';
import { createEngine } from '../core/engine.ts';
import { asOwner } from '../core/audit/testing.ts';
import { api, cliEnv, runCli, startCli, type CliEnv } from './testing.ts';

/**
 * `switchboard audit verify` through the real CLI: intact while the server runs (embedded: through
 * its admin endpoint), then broken by an owner-level delete and named, exit code non-zero.
 */
let ctx: CliEnv;
beforeAll(async () => {
  ctx = await cliEnv();
});
afterAll(async () => ctx?.dispose());

test('audit verify exits 0 on intact chains and non-zero naming the first bad entry after tampering', async () => {
  const server = await startCli(ctx.env);
  let orgId: string;
  try {
    const created = await runCli(['org', 'create', '--name', 'Audited', '--json'], ctx.env);
    assert.equal(created.code, 0, created.stderr);
    const { org, apiKey } = JSON.parse(created.stdout);
    orgId = org.id;
    for (const name of ['one', 'two']) {
      assert.equal((await api(server.url, apiKey, 'POST', '/v1/api-keys', { name, scopes: ['contacts:read'] })).status, 201);
    }
    assert.equal((await api(server.url, apiKey, 'PATCH', '/v1/org', { name: 'Audited Inc' })).status, 200);

    const one = await runCli(['audit', 'verify', '--org', orgId, '--json'], ctx.env);
    assert.equal(one.code, 0, one.stderr);
    const out = JSON.parse(one.stdout);
    assert.equal(out.ok, true);
    assert.deepEqual(out.results.map((r: any) => [r.orgId, r.checked]), [[orgId, 4]]);

    const all = await runCli(['audit', 'verify'], ctx.env);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, new RegExp(`org ${orgId}: chain intact \\(4 entries\\)`));
  } finally {
    assert.equal(await server.stop(), 0);
  }

  // An intruder with the owner's rights deletes the second entry (the first api_key.created).
  const engine = await createEngine(loadConfig(ctx.env));
  let next: { id: string };
  try {
    await asOwner(engine.db, async (trx) => {
      await trx('audit_log').where({ org_id: orgId, position: 2 }).delete();
      next = await trx('audit_log').where({ org_id: orgId, position: 3 }).first();
    });
  } finally {
    await engine.close();
  }

  const broken = await runCli(['audit', 'verify', '--org', orgId], ctx.env);
  assert.equal(broken.code, 1);
  assert.match(broken.stdout, new RegExp(`BROKEN at entry ${next!.id} at position 3: missing \\(the entry at position 2 is missing`));
  assert.match(broken.stderr, /1 broken chain/);
  const json = JSON.parse((await runCli(['audit', 'verify', '--json'], ctx.env)).stdout);
  assert.equal(json.ok, false);
  assert.deepEqual(json.results.find((r: any) => r.orgId === orgId).firstBad, {
    id: next!.id,
    position: 3,
    reason: 'missing',
    message: 'the entry at position 2 is missing before this one (deleted)',
  });

  const unknown = await runCli(['audit', 'verify', '--org', crypto.randomUUID()], ctx.env);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /No such org/);
  assert.equal((await runCli(['audit', 'nope'], ctx.env)).code, 2);
});
