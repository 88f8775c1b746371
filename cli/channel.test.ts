import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { api, cliEnv, runCli, startCli, type CliEnv, type Server } from './testing.ts';

/**
 * `switchboard channel ACTION CONNECTION_ID` through the real CLI against a running server's public
 * API, on sandbox connections (no credentials, no provider): search → buy (Idempotency-Key: a rerun
 * with the same key does not buy twice) → numbers → health → registrations → templates --sync →
 * release (only with --yes); health / fix exit 1 when the connection is not ok; API errors name
 * the code and field on stderr.
 */
let ctx: CliEnv;
let server: Server;
let env: Record<string, string>;
beforeAll(async () => {
  ctx = await cliEnv();
  server = await startCli(ctx.env);
  const org = await runCli(['org', 'create', '--name', 'Channel CLI', '--json'], ctx.env);
  assert.equal(org.code, 0, org.stderr);
  env = { ...ctx.env, SWITCHBOARD_URL: server.url, SWITCHBOARD_API_KEY: JSON.parse(org.stdout).apiKey };
});
afterAll(async () => {
  await server?.stop();
  await ctx?.dispose();
});

const channel = (...args: string[]) => runCli(['channel', ...args], env);
const json = (r: { code: number | null; stdout: string; stderr: string }) => {
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout);
};

test('search → buy (idempotent) → numbers → health → registrations → release --yes, on a sandbox Twilio connection', async () => {
  const created = await api(server.url, env.SWITCHBOARD_API_KEY!, 'POST', '/v1/connections', {
    connector: 'twilio', name: 'Sandbox SMS', sandbox: true, config: { accountSid: 'AC3f5e0c7a9b2d4e6f8a1b3c5d7e9f1a2b' }, secrets: { authToken: 'placeholder' },
  });
  assert.equal(created.status, 201, created.text);
  const id = created.json.id as string;

  const noKey = await runCli(['channel', 'health', id], { ...env, SWITCHBOARD_API_KEY: '' });
  assert.equal(noKey.code, 2, noKey.stderr);
  assert.match(noKey.stderr, /SWITCHBOARD_API_KEY/);
  const unknown = await channel('port', id);
  assert.deepEqual([unknown.code, /Unknown action "port"/.test(unknown.stderr)], [2, true], unknown.stderr);
  const noNumber = await channel('buy', id);
  assert.deepEqual([noNumber.code, /missing NUMBER/.test(noNumber.stderr)], [2, true], noNumber.stderr);

  const found = json(await channel('search', id, '--area-code', '212', '--sms', '--limit', '3', '--json'));
  assert.equal(found.data.length, 3);
  for (const n of found.data) assert.match(n.phoneNumber, /^\+121255501\d\d$/);
  const pick = found.data[0].phoneNumber as string;
  const text = await channel('search', id, '--area-code', '212', '--limit', '2');
  assert.equal(text.code, 0, text.stderr);
  assert.equal(text.stdout.trim().split('\n').length, 2);
  assert.match(text.stdout, /^\+121255501\d\d {2}Sandbox {2}sms\/mms$/m);

  const bought = json(await channel('buy', id, pick, '--idempotency-key', 'cli-buy-1', '--json'));
  assert.deepEqual([bought.phoneNumber, bought.sandbox, bought.replayed, bought.idempotencyKey, bought.sender.address], [pick, true, false, 'cli-buy-1', pick]);
  // A rerun after (say) a timeout: the same key replays the purchase, nothing is bought twice.
  const again = await channel('buy', id, pick, '--idempotency-key', 'cli-buy-1');
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`^Already bought \\(same Idempotency-Key\\) \\${pick} \\(sandbox\\): provider id ${bought.providerId}`));
  const senders = await api(server.url, env.SWITCHBOARD_API_KEY!, 'GET', `/v1/connections/${id}/senders`);
  assert.deepEqual(senders.json.data.map((s: { address: string }) => s.address), [pick]);

  const numbers = json(await channel('numbers', id, '--json'));
  assert.deepEqual(numbers.numbers.map((n: { phoneNumber: string }) => n.phoneNumber), [pick]);

  const health = await channel('health', id);
  assert.equal(health.code, 0, health.stdout + health.stderr);
  assert.match(health.stdout, /^status: ok$/m);
  assert.match(health.stdout, new RegExp(`ok {4}sandbox_number \\${pick} inbound`));

  const reg = await channel('registrations', id);
  assert.equal(reg.code, 0, reg.stderr);
  assert.equal(reg.stdout.trim(), `${pick}: unregistered → approved`);

  const refused = await channel('release', id, pick);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /cannot be undone.*--yes/);
  assert.equal(json(await channel('numbers', id, '--json')).numbers.length, 1, 'nothing released without --yes');
  const released = await channel('release', id, pick, '--yes');
  assert.equal(released.code, 0, released.stderr);
  assert.equal(released.stdout.trim(), `Released ${pick}; 1 sender(s) removed.`);
  const audit = await api(server.url, env.SWITCHBOARD_API_KEY!, 'GET', '/v1/audit?action=connection.number_released');
  assert.deepEqual(audit.json.data.map((e: { details: { phoneNumber: string } }) => e.details.phoneNumber), [pick]);

  // A disabled connection fails its check: health and fix exit 1 and say why.
  assert.equal((await api(server.url, env.SWITCHBOARD_API_KEY!, 'PATCH', `/v1/connections/${id}`, { status: 'disabled' })).status, 200);
  const sick = await channel('health', id);
  assert.equal(sick.code, 1);
  assert.match(sick.stdout, /^status: failing$/m);
  assert.match(sick.stdout, /problem \(failing\): connection_disabled: The connection is disabled\./);
  const fix = await channel('fix', id, '--json');
  assert.equal(fix.code, 1);
  assert.equal(JSON.parse(fix.stdout).status, 'failing');
});

test('templates --sync on a sandbox WhatsApp connection; API errors are exit 1 naming the code and field', async () => {
  const created = await api(server.url, env.SWITCHBOARD_API_KEY!, 'POST', '/v1/connections', {
    connector: 'whatsapp', name: 'Sandbox WA', sandbox: true, config: { phoneNumberId: '106540352242922', verifyToken: 'verify-token-x', wabaId: '102290129340398' }, secrets: { accessToken: 'placeholder', appSecret: 'placeholder' },
  });
  assert.equal(created.status, 201, created.text);
  const id = created.json.id as string;
  const before = await channel('templates', id);
  assert.deepEqual([before.code, before.stdout.trim()], [0, 'No templates.']);
  const synced = await channel('templates', id, '--sync');
  assert.equal(synced.code, 0, synced.stderr);
  assert.deepEqual(synced.stdout.trim().split('\n'), [
    'appointment_reminder:en_US  approved  UTILITY  variables: 1, 2',
    'spring_promo:en_US  paused  MARKETING  variables: 1',
    'Synced: 2 changed, 0 removed.',
  ]);
  assert.equal(json(await channel('templates', id, '--json')).data.length, 2);

  const bad = await channel('search', id, '--country', 'USA');
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^switchboard channel search: HTTP 4\d\d \w+: .+$/m);
  const badCountry = await channel('search', (await api(server.url, env.SWITCHBOARD_API_KEY!, 'GET', '/v1/connections?connector=twilio')).json.data[0].id, '--country', 'USA');
  assert.equal(badCountry.code, 1);
  assert.match(badCountry.stderr, /HTTP 400 \w+: .*\(\/country\)/);
  const missing = await channel('health', '0190f1a2-0000-7000-8000-000000000000');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /HTTP 404 not_found/);
});
