import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { loadConfig } from '../core/config.ts';
import { createEngine } from '../core/engine.ts';
import { masterFingerprint } from '../core/crypto/master.ts';
import { sealedKeyVersion } from '../core/crypto/aead.ts';
import { waitFor } from '../test/wait.ts';
import { api, cliEnv, runCli, startCli, startFails, type CliEnv } from './testing.ts';

/**
 * Key operations through the real CLI: data key rotation while the server runs (old values keep
 * decrypting, new writes use the new version), master key re-wrapping, and the refusal to start
 * with a master key the database does not know.
 */
const keyA = crypto.randomBytes(32);
const keyB = crypto.randomBytes(32);
const b64 = (k: Buffer) => k.toString('base64');

let ctx: CliEnv;
let envA: Record<string, string>;
beforeAll(async () => {
  ctx = await cliEnv();
  envA = { ...ctx.env, SWITCHBOARD_MASTER_KEY: b64(keyA) };
});
afterAll(async () => ctx?.dispose());

let orgId: string;
let apiKey: string;
const contacts: string[] = [];

/** The key version each contact's encrypted name was sealed with, read straight from storage. */
async function nameKeyVersions(env: Record<string, string>, ids: string[]): Promise<number[]> {
  const engine = await createEngine(loadConfig(env));
  try {
    return await engine.tenant(orgId, async (tx) => {
      const rows = await tx.pii('pii.contacts').select('id', 'name_enc').whereIn('id', ids);
      return ids.map((id) => sealedKeyVersion(Buffer.from(rows.find((r) => r.id === id).name_enc)));
    });
  } finally {
    await engine.close();
  }
}

test('keys rotate while the server runs: old values still decrypt, new writes use the new version', async () => {
  const server = await startCli(envA);
  const newContact = async (name: string, handle: { kind: string; value: string }) => {
    const res = await api(server.url, apiKey, 'POST', '/v1/contacts', { name, handles: [handle] });
    assert.equal(res.status, 201, res.text);
    return res.json.id as string;
  };
  try {
    const created = await runCli(['org', 'create', '--name', 'Keys', '--json'], envA);
    assert.equal(created.code, 0, created.stderr);
    ({ org: { id: orgId }, apiKey } = JSON.parse(created.stdout));
    contacts.push(await newContact('Ada Before', { kind: 'phone', value: '+1 (415) 555-0134' }));

    const rotated = await runCli(['keys', 'rotate', '--org', orgId, '--json'], envA);
    assert.equal(rotated.code, 0, rotated.stderr);
    assert.deepEqual(JSON.parse(rotated.stdout), { rotated: [{ orgId, version: 2 }] });

    const old = await api(server.url, apiKey, 'GET', `/v1/contacts/${contacts[0]}`);
    assert.equal(old.status, 200);
    assert.equal(old.json.name, 'Ada Before');
    if (ctx.mode === 'embedded') {
      // The CLI went through the server, whose keyring switched at once.
      contacts.push(await newContact('Bea After', { kind: 'email', value: 'Bea@Example.com' }));
    } else {
      // The CLI rotated from its own process; the server's keyring cache picks that up within its 15 s lifetime.
      let n = 0;
      await waitFor(
        'the running server to write with data key version 2',
        async () => {
          const id = await newContact('Bea After', { kind: 'email', value: `bea${n++}@example.com` });
          contacts[1] = id;
          return (await nameKeyVersions(envA, [id]))[0] === 2;
        },
        25_000,
        1_000,
      );
    }

    const unknown = await runCli(['keys', 'rotate', '--org', crypto.randomUUID()], envA);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No such org/);
  } finally {
    assert.equal(await server.stop(), 0);
  }
  assert.deepEqual(await nameKeyVersions(envA, contacts), [1, 2]);
});

test('a master key the database does not know is refused at start, naming both fingerprints', async () => {
  const refused = await startFails({ ...ctx.env, SWITCHBOARD_MASTER_KEY: b64(keyB) });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /refusing to start/);
  assert.ok(refused.stderr.includes(masterFingerprint(keyA)), 'names the fingerprint the database expects');
  assert.ok(refused.stderr.includes(masterFingerprint(keyB)), 'names the fingerprint of the key given');
});

test('keys rotate --new-master-key re-wraps every key: data stays readable under the new key only', async () => {
  const res = await runCli(['keys', 'rotate', '--new-master-key', b64(keyB), '--json'], envA);
  assert.equal(res.code, 0, res.stderr);
  const out = JSON.parse(res.stdout);
  assert.equal(out.fingerprint, masterFingerprint(keyB));
  // Two versions of this org's data key, plus the embedded demo org's first key.
  assert.equal(out.rewrapped, ctx.mode === 'embedded' ? 3 : 2);
  assert.match(out.instruction, /SWITCHBOARD_MASTER_KEY/);

  const refused = await startFails(envA);
  assert.match(refused.stderr, /refusing to start/);

  const envB = { ...ctx.env, SWITCHBOARD_MASTER_KEY: b64(keyB) };
  const server = await startCli(envB);
  try {
    for (const [id, name] of [[contacts[0], 'Ada Before'], [contacts[1], 'Bea After']]) {
      const got = await api(server.url, apiKey, 'GET', `/v1/contacts/${id}`);
      assert.equal(got.status, 200);
      assert.equal(got.json.name, name);
    }
  } finally {
    await server.stop();
  }
});

test('org delete crypto-shreds the org: its API key stops working and it is gone from the list', async () => {
  const envB = { ...ctx.env, SWITCHBOARD_MASTER_KEY: b64(keyB) };
  const server = await startCli(envB);
  try {
    assert.equal((await api(server.url, apiKey, 'GET', `/v1/contacts/${contacts[0]}`)).status, 200);
    const refused = await runCli(['org', 'delete', orgId], envB);
    assert.equal(refused.code, 2, 'deleting wants --yes');
    const res = await runCli(['org', 'delete', orgId, '--yes', '--json'], envB);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(JSON.parse(res.stdout), { deleted: orgId });
    if (ctx.mode === 'embedded') {
      // Deleted through the server itself: refused at once.
      assert.equal((await api(server.url, apiKey, 'GET', '/v1/sync')).status, 401);
    } else {
      // Deleted from the CLI's own process: the server's auth cache lets a key live up to 5 s.
      await waitFor('the API key to be refused', async () => (await api(server.url, apiKey, 'GET', '/v1/sync')).status === 401, 10_000, 250);
    }
    const list = await runCli(['org', 'list', '--json'], envB);
    assert.ok(!JSON.parse(list.stdout).orgs.some((o: { id: string }) => o.id === orgId));
    const again = await runCli(['org', 'delete', orgId, '--yes'], envB);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /No such org/);
  } finally {
    await server.stop();
  }
});
