import { test, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliEnv, runCli } from './testing.ts';

/** `switchboard connector new|validate` and the refusal of a broken package at start, as real processes. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/switchboard.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-connector-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // Only the PATH: nothing of this test run's configuration reaches the child.
    const child = spawn(cmd, args, { cwd, env: { PATH: process.env.PATH ?? '', HOME: os.homedir() }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
const switchboard = (args: string[], cwd: string) => run(process.execPath, [BIN, ...args], cwd);

test('connector new NAME scaffolds into the current directory a package whose own tests pass, and that validates', async () => {
  const dir = path.join(tmp, 'plumbing-sms');
  fs.mkdirSync(dir);
  const res = await switchboard(['connector', 'new', 'plumbing-sms'], dir);
  assert.equal(res.code, 0, res.stderr);
  for (const f of ['package.json', 'index.ts', 'manifest.json', 'fixtures/inbound-message.json', 'connector.test.mjs', 'README.md', 'CHANGELOG.md']) {
    assert.ok(fs.existsSync(path.join(dir, f)), f);
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  assert.equal(pkg.name, 'switchboard-connector-plumbing-sms');
  assert.match(pkg.dependencies['@switchboard/connector-kit'], /^file:.*connectors\/kit$/);
  assert.match(fs.readFileSync(path.join(dir, 'index.ts'), 'utf8'), /id: 'plumbing-sms'[\s\S]*displayName: 'Plumbing Sms'/);

  const tests = await run(process.execPath, ['--test'], dir);
  assert.equal(tests.code, 0, tests.stdout + tests.stderr);
  assert.match(tests.stdout, /# pass 4\n# fail 0/);

  const valid = await switchboard(['connector', 'validate', '.'], dir);
  assert.equal(valid.code, 0, valid.stderr);
  assert.match(valid.stdout, /ok: plumbing-sms@0\.1\.0 \(channel, Plumbing Sms\)/);

  // Nothing is overwritten without --force; a bad name is a usage error.
  const again = await switchboard(['connector', 'new', 'plumbing-sms'], dir);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already exist/);
  assert.equal((await switchboard(['connector', 'new', 'Bad Name'], dir)).code, 2);
});

test('connector validate lists every problem of a broken package (exit 1), passes the example and the built-ins', async () => {
  const broken = await switchboard(['connector', 'validate', 'examples/connector-broken'], ROOT);
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /examples\/connector-broken: \d+ problems/);
  for (const p of [/version: "1\.0"/, /messaging\.teleport/, /JSONata does not compile/, /CHANGELOG\.md: missing/]) assert.match(broken.stderr, p);
  for (const ok of ['examples/connector-echo', 'connectors/twilio']) {
    const res = await switchboard(['connector', 'validate', ok], ROOT);
    assert.equal(res.code, 0, `${ok}: ${res.stderr}`);
  }
});

test('start refuses a broken SWITCHBOARD_CONNECTORS package, naming it', async () => {
  const env = await cliEnv();
  try {
    const broken = path.join(ROOT, 'examples/connector-broken/index.ts');
    const res = await runCli(['start'], { ...env.env, SWITCHBOARD_CONNECTORS: broken }, 60_000);
    assert.equal(res.code, 1);
    assert.match(res.stderr, new RegExp(`SWITCHBOARD_CONNECTORS: the connector package "${broken.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" was refused`));
    assert.match(res.stderr, /unknown capability "messaging\.teleport"/);
  } finally {
    await env.dispose();
  }
});
