import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { WebSocket } from 'ws';
import { waitFor } from '../test/wait.ts';
import { api, cliEnv, runCli, startCli, type CliEnv, type Server } from './testing.ts';

/**
 * `switchboard start` and `org create` as real processes over real HTTP: the demo org, health,
 * the reference page, org creation through the running server and directly, and a stale
 * admin.json left by a dead server. One data dir, used in sequence.
 */
let ctx: CliEnv;
let server: Server | undefined;
beforeAll(async () => {
  ctx = await cliEnv();
});
afterAll(async () => {
  await server?.stop();
  await ctx?.dispose();
});

const adminFile = () => path.join(ctx.dataDir, 'admin.json');
const demoKey = (stdout: string) => /^\s+(sb_live_[\w-]+)\s*$/m.exec(stdout)?.[1];

function oneJsonLine(stdout: string) {
  const lines = stdout.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `expected one line, got: ${stdout}`);
  return JSON.parse(lines[0]);
}

test('start serves health, the OpenAPI document and the reference page; embedded prints a demo API key', async () => {
  server = await startCli(ctx.env);
  const health = await api(server.url, null, 'GET', '/v1/health');
  assert.equal(health.status, 200);
  assert.equal(health.json.status, 'ok');
  assert.equal(health.json.mode, ctx.mode);
  assert.equal(health.json.database.ok, true);
  assert.equal(health.json.database.kind, ctx.mode === 'embedded' ? 'pglite' : 'postgres');
  assert.equal(health.json.queue.ok, true);
  assert.equal(health.json.queue.kind, ctx.mode === 'embedded' ? 'in-process' : 'bullmq');

  const openapi = await api(server.url, null, 'GET', '/v1/openapi.json');
  assert.equal(openapi.status, 200);
  // With PORT=0 the document still names the port actually bound.
  assert.equal(openapi.json.servers[0].url, server.url);
  const docs = await api(server.url, null, 'GET', '/docs');
  assert.equal(docs.status, 200);
  assert.match(docs.headers.get('content-type') ?? '', /text\/html/);
  assert.match(docs.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  for (const [p, ops] of Object.entries<Record<string, unknown>>(openapi.json.paths)) {
    for (const method of Object.keys(ops)) assert.ok(docs.text.includes(`${method.toUpperCase()}</span> <code>${p}</code>`), `${method} ${p} documented`);
  }

  for (const line of ['/v1/health', '/v1/openapi.json', '/docs', 'ws://']) assert.ok(server.stdout().includes(line), line);
  const key = demoKey(server.stdout());
  if (ctx.mode === 'embedded') {
    assert.ok(key, 'the first embedded start prints the demo API key');
    assert.equal((await api(server.url, key!, 'GET', '/v1/sync')).status, 200);
    const marker = JSON.parse(fs.readFileSync(path.join(ctx.dataDir, 'demo-org.json'), 'utf8'));
    assert.ok(marker.orgId);
    const admin = fs.statSync(adminFile());
    assert.equal(admin.mode & 0o777, 0o600);
  } else {
    assert.equal(key, undefined, 'production mode creates no demo org');
  }
});

test('org create --json while the server runs prints one JSON line whose apiKey authenticates', async () => {
  const res = await runCli(['org', 'create', '--name', 'Acme Property', '--json'], ctx.env);
  assert.equal(res.code, 0, res.stderr);
  const out = oneJsonLine(res.stdout);
  assert.equal(out.org.name, 'Acme Property');
  assert.match(out.org.id, /^[0-9a-f-]{36}$/);
  assert.equal((await api(server!.url, out.apiKey, 'GET', '/v1/sync')).status, 200);
  assert.equal((await api(server!.url, out.apiKey.slice(0, -2) + 'xx', 'GET', '/v1/sync')).status, 401);

  const list = await runCli(['org', 'list', '--json'], ctx.env);
  assert.equal(list.code, 0, list.stderr);
  assert.ok(oneJsonLine(list.stdout).orgs.some((o: { id: string }) => o.id === out.org.id));
});

let socketClosed: Promise<number> | undefined;

test('the WebSocket delivers live events committed through the API (relay running in the start process)', async () => {
  const created = await runCli(['org', 'create', '--name', 'Live', '--json'], ctx.env);
  assert.equal(created.code, 0, created.stderr);
  const { apiKey } = oneJsonLine(created.stdout);
  const ws = new WebSocket(server!.url.replace(/^http/, 'ws') + '/v1/realtime', { headers: { authorization: `Bearer ${apiKey}` } });
  const frames: any[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(String(d))));
  socketClosed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  await waitFor('the ready frame', () => frames.some((f) => f.type === 'ready'), 15_000);
  const contact = await api(server!.url, apiKey, 'POST', '/v1/contacts', { name: 'Live One', handles: [{ kind: 'email', value: 'live@example.com' }] });
  assert.equal(contact.status, 201, contact.text);
  const frame = await waitFor('the contact.created event', () => frames.find((f) => f.type === 'event' && f.event.type === 'contact.created'), 15_000);
  assert.equal(frame.event.subjectId, contact.json.id);
  // The socket stays open: the graceful stop below must close it (1001) and still exit 0.
});

test('production: no admin endpoint is announced', async ({ skip }) => {
  skip(ctx.mode === 'embedded', 'PostgreSQL mode only');
  // PostgreSQL serves many processes: the CLI opens it directly, so there is nothing to announce.
  assert.equal(fs.existsSync(adminFile()), false);
});

test('embedded: the admin endpoint wants the token from admin.json', async ({ skip }) => {
  skip(ctx.mode === 'production', 'embedded mode only: with PostgreSQL the CLI opens the database itself');
  const info = JSON.parse(fs.readFileSync(adminFile(), 'utf8'));
  assert.equal(info.pid, server!.child.pid);
  assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const wrong = await fetch(`${info.url}/internal/admin/orgs`, {
    method: 'POST',
    headers: { authorization: 'Bearer nope', 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'x' }),
  });
  assert.equal(wrong.status, 401);
  const right = await fetch(`${info.url}/internal/admin/ping`, { headers: { authorization: `Bearer ${info.token}` } });
  assert.equal(right.status, 200);
  // The public port does not serve it.
  assert.equal((await api(server!.url, null, 'GET', '/internal/admin/ping')).status, 404);
});

test('usage errors exit 2 with a pointer to --help; bad settings list every problem and exit 1', async () => {
  const missing = await runCli(['org', 'create', '--json'], ctx.env);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--name is required/);
  const unknown = await runCli(['frobnicate'], ctx.env);
  assert.equal(unknown.code, 2);
  const help = await runCli(['keys', 'rotate', '--help'], ctx.env);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--new-master-key/);
  const bad = await runCli(['org', 'list'], { ...ctx.env, PORT: 'eighty', LOG_LEVEL: 'loud' });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /PORT must be an integer/);
  assert.match(bad.stderr, /LOG_LEVEL must be one of/);
});

test('after a graceful stop, org create opens the database directly; a stale admin.json is ignored', async () => {
  assert.equal(await server!.stop(), 0);
  server = undefined;
  assert.equal(await socketClosed, 1001, 'open WebSocket clients are told the server is going away');
  assert.equal(fs.existsSync(adminFile()), false, 'admin.json is removed at stop');

  const migrate = await runCli(['migrate', '--json'], ctx.env);
  assert.equal(migrate.code, 0, migrate.stderr);
  assert.deepEqual(oneJsonLine(migrate.stdout), { migrated: [] }, 'start applied every migration');

  const direct = await runCli(['org', 'create', '--name', 'Direct', '--json'], ctx.env);
  assert.equal(direct.code, 0, direct.stderr);
  const a = oneJsonLine(direct.stdout);

  // A server killed without cleanup leaves admin.json naming a dead pid.
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  fs.writeFileSync(adminFile(), JSON.stringify({ pid: Number(dead.stdout), url: 'http://127.0.0.1:9', token: 'x' }), { mode: 0o600 });
  const stale = await runCli(['org', 'create', '--name', 'Stale', '--json'], ctx.env);
  assert.equal(stale.code, 0, stale.stderr);
  const b = oneJsonLine(stale.stdout);

  server = await startCli(ctx.env);
  assert.equal(demoKey(server.stdout()), undefined, 'the demo org is created on the first start only');
  for (const key of [a.apiKey, b.apiKey]) assert.equal((await api(server.url, key, 'GET', '/v1/sync')).status, 200);
});
