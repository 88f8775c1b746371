import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { api, cliEnv, runCli, startCli, type CliEnv } from './testing.ts';

/**
 * `switchboard platform create` through the real CLI: with the server running (embedded: through
 * its loopback admin endpoint; production: straight to the database) and with it stopped. The key
 * it prints once is a working platform key; bad arguments are usage errors naming the flag.
 */
let ctx: CliEnv;
beforeAll(async () => {
  ctx = await cliEnv();
});
afterAll(async () => ctx?.dispose());

test('platform create prints a platform key once (JSON or text) that creates orgs by API; bad arguments are usage errors', async () => {
  const missing = await runCli(['platform', 'create', '--json'], ctx.env);
  assert.equal(missing.code, 2, missing.stderr);
  assert.match(missing.stderr, /--name is required/);
  const long = await runCli(['platform', 'create', '--name', 'x'.repeat(201)], ctx.env);
  assert.deepEqual([long.code, /at most 200 characters/.test(long.stderr)], [2, true], long.stderr);
  const unknown = await runCli(['platform', 'remove'], ctx.env);
  assert.deepEqual([unknown.code, /Unknown subcommand "remove"/.test(unknown.stderr)], [2, true], unknown.stderr);
  const help = await runCli(['platform', '--help'], ctx.env);
  assert.match(help.stdout, /switchboard platform create --name NAME \[--json\]/);

  const server = await startCli(ctx.env);
  let first: { platform: { id: string; name: string }; apiKey: string };
  try {
    const created = await runCli(['platform', 'create', '--name', 'PropertyCo', '--json'], ctx.env);
    assert.equal(created.code, 0, created.stderr);
    first = JSON.parse(created.stdout);
    assert.match(first.apiKey, /^sbp_live_[\w-]{32}$/);
    assert.equal(first.platform.name, 'PropertyCo');
    assert.ok(!created.stderr.includes(first.apiKey), 'the key is not logged');

    const me = await api(server.url, first.apiKey, 'GET', '/v1/platform');
    assert.deepEqual([me.status, me.json.id, me.json.name], [200, first.platform.id, 'PropertyCo']);
    const org = await api(server.url, first.apiKey, 'POST', '/v1/platform/orgs', { name: 'Sunset Apartments' });
    assert.equal(org.status, 201, org.text);
    const audit = await api(server.url, first.apiKey, 'GET', '/v1/platform/audit');
    assert.deepEqual(audit.json.data.map((e: any) => [e.action, e.actor.type]), [['org.created', 'platform_key'], ['platform_key.created', 'cli']]);

    const text = await runCli(['platform', 'create', '--name', 'Second SaaS'], ctx.env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /Created platform "Second SaaS" \(id [0-9a-f-]{36}\)/);
    assert.match(text.stdout, /shown only this once/);
    const key = /^\s+(sbp_live_[\w-]+)\s*$/m.exec(text.stdout)?.[1];
    assert.ok(key, text.stdout);
    // Each platform sees only its own orgs.
    assert.deepEqual((await api(server.url, key, 'GET', '/v1/platform/orgs')).json.data, []);
  } finally {
    await server.stop();
  }

  // With the server stopped, the CLI writes to the database itself; the next start knows the platform.
  const offline = await runCli(['platform', 'create', '--name', 'Offline SaaS', '--json'], ctx.env);
  assert.equal(offline.code, 0, offline.stderr);
  const third = JSON.parse(offline.stdout);
  const again = await startCli(ctx.env);
  try {
    assert.equal((await api(again.url, third.apiKey, 'GET', '/v1/platform')).json.name, 'Offline SaaS');
    assert.equal((await api(again.url, first!.apiKey, 'GET', '/v1/platform/orgs')).json.data.length, 1);
  } finally {
    await again.stop();
  }
});
