import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { waitFor } from '../test/wait.ts';
import { realServices } from '../test/harness.ts';
import { api, cliEnv, runCli, startCli, startFails, type CliEnv, type Server } from './testing.ts';

/**
 * The first run, tried as a newcomer would: `switchboard help`, a busy port, the first start's
 * banner (master key warning, sandbox connection ids and inbound URLs, a sandbox send that works
 * as pasted), the README's own curl examples against that server, the demo web chat's origins on
 * the port actually bound, and `keys create` for an org whose key was lost.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
let ctx: CliEnv;
let server: Server | undefined;
before(async () => {
  ctx = await cliEnv();
});
after(async () => {
  await server?.stop();
  await ctx?.dispose();
});

test('switchboard help: every command and its summary are apart', async () => {
  const res = await runCli(['help'], ctx.env);
  assert.equal(res.code, 0, res.stderr);
  const lines = res.stdout.split('\n').filter((l) => /^ {2}\S/.test(l));
  assert.ok(lines.some((l) => l.trimStart().startsWith('connector ')), res.stdout);
  for (const line of lines) assert.match(line, /^ {2}[a-z]+ {2,}\S/, `"${line}"`);
});

test('a busy port stops the start at once with one line, before any migration', async () => {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as net.AddressInfo).port;
  try {
    const { code, stderr } = await startFails({ ...ctx.env, PORT: String(port) });
    assert.equal(code, 1);
    assert.equal(stderr.trim(), `switchboard: Port ${port} on 127.0.0.1 is already in use (another Switchboard, or another program): stop that process or set PORT to a free port.`);
  } finally {
    holder.close();
  }
  if (ctx.mode === 'embedded') {
    assert.equal(fs.existsSync(path.join(ctx.dataDir, 'pgdata')), false, 'the database was not opened');
  } else {
    const c = new pg.Client({ connectionString: ctx.env.DATABASE_URL });
    await c.connect();
    const { rows } = await c.query(`SELECT to_regclass('knex_migrations') AS t`);
    await c.end();
    assert.equal(rows[0].t, null, 'no migration ran');
  }
});

const demoKey = (stdout: string) => /^\s+(sb_live_[\w-]+)\s*$/m.exec(stdout)?.[1];

test('the first start says, in its banner, to back up the master key it generated', async () => {
  server = await startCli(ctx.env);
  const file = path.join(ctx.dataDir, 'master.key');
  const line = server.stdout().split('\n').find((l) => l.includes('A new master key was generated'));
  assert.equal(line, `! A new master key was generated in ${file}. Back it up: without it nothing stored can be decrypted.`);
});

test('the demo org: its sandbox connections, the README examples and a send that works as pasted', { skip: realServices() && 'production mode creates no demo org' }, async () => {
  const { url } = server!;
  const out = server!.stdout();
  const key = demoKey(out)!;
  const orgId = /Created the demo org "[^"]+" \(id ([0-9a-f-]{36})\)/.exec(out)![1];
  assert.match(out, new RegExp(`npx switchboard keys create --org ${orgId}`));
  const connections = (await api(url, key, 'GET', '/v1/connections')).json.data as { id: string; name: string; connector: string; config: any }[];
  assert.equal(connections.length, 5);
  for (const c of connections) {
    const line = out.split('\n').find((l) => l.includes(c.id));
    assert.ok(line?.includes(c.name), `the banner names ${c.name} with its id`);
    if (c.connector !== 'webchat') assert.ok(line!.includes(`inbound ${url}/v1/receive/${c.id}`), line);
  }
  const webchat = connections.find((c) => c.connector === 'webchat')!;
  const port = new URL(url).port;
  assert.notEqual(port, '3000');
  assert.deepEqual(webchat.config.allowedOrigins, [`http://localhost:${port}`, `http://127.0.0.1:${port}`]);

  // The README's "Try it" block, run as written against this server (the contact id filled in).
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = readme.slice(readme.indexOf('Try it ('));
  const [contactBody, messageBody] = [...block.matchAll(/-d '([^']+)'/g)].map((m) => m[1]!);
  const contact = await api(url, key, 'POST', '/v1/contacts', JSON.parse(contactBody!));
  assert.equal(contact.status, 201, contact.text);
  const message = await api(url, key, 'POST', '/v1/messages', JSON.parse(messageBody!.replace('<contact id>', contact.json.id)));
  assert.equal(message.status, 201, message.text);
  const promised = /v1\/sync -H[^\n]*\n# → ([^\n]*)/.exec(block)![1]!;
  const expected = [...promised.matchAll(/"type":"([a-z_.]+)"/g)].map((m) => m[1]);
  let types: string[] = [];
  const collapsed = () => types.filter((t, i) => t !== types[i - 1]);
  // The enrichment follows the message asynchronously (the AI job): the feed is read until it settles.
  await waitFor('the README\'s events', async () => {
    types = (await api(url, key, 'GET', '/v1/sync')).json.events.map((e: { type: string }) => e.type);
    return collapsed().length >= expected.length;
  }, 30_000, 200).catch(() => {});
  assert.deepEqual(collapsed(), expected, `README: ${promised}`);
  assert.equal(types.filter((t) => t === 'connection.created').length, Number(/×(\d+)/.exec(promised)![1]));

  // The banner's sandbox send, as pasted.
  const curl = /curl -X POST (\S+)\/v1\/messages -H "Authorization: Bearer (\S+)" -H 'content-type: application\/json' -d '([^']+)'/.exec(out)!;
  assert.deepEqual([curl[1], curl[2]], [url, key]);
  const sent = await api(url, key, 'POST', '/v1/messages', JSON.parse(curl[3]!));
  assert.equal(sent.status, 201, sent.text);
  await waitFor('the sandbox send to be delivered', async () => (await api(url, key, 'GET', `/v1/messages/${sent.json.id}`)).json.status === 'delivered', 30_000, 200);
});

test('keys create --org ID: a new admin key for an org whose key is lost; audited; a bad org is refused', async () => {
  const created = await runCli(['org', 'create', '--name', 'Lost key', '--json'], ctx.env);
  assert.equal(created.code, 0, created.stderr);
  const { org } = JSON.parse(created.stdout);
  const res = await runCli(['keys', 'create', '--org', org.id, '--json'], ctx.env);
  assert.equal(res.code, 0, res.stderr);
  const out = JSON.parse(res.stdout);
  assert.deepEqual([out.key.scopes, out.key.name], [['admin'], 'CLI key']);
  const url = server?.url;
  if (url) {
    assert.equal((await api(url, out.apiKey, 'GET', '/v1/sync')).status, 200);
    const audit = await api(url, out.apiKey, 'GET', '/v1/audit?action=api_key.created');
    assert.deepEqual(audit.json.data.map((e: any) => [e.target.id, e.actor.type]), [[out.key.id, 'cli']]);
  }
  const scoped = await runCli(['keys', 'create', '--org', org.id, '--scopes', 'contacts:read', '--name', 'Reader', '--json'], ctx.env);
  assert.deepEqual(JSON.parse(scoped.stdout).key.scopes, ['contacts:read']);
  const missing = await runCli(['keys', 'create'], ctx.env);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--org is required/);
  const unknown = await runCli(['keys', 'create', '--org', '01a244bb-0000-7000-8000-000000000000'], ctx.env);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /org/i);
});
