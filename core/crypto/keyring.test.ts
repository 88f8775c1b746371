import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startHarness, type Harness } from '../../test/harness.ts';
import { sealedKeyVersion } from './aead.ts';
import { createKeyring, rewrapAll } from './keyring.ts';
import { withTenantRaw } from '../db/tenant.ts';
import { checkMasterFingerprint, masterFingerprint } from './master.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

test('values are bound to org, row and field: moving a ciphertext fails to decrypt', async () => {
  const a = await h.newOrg('A');
  const b = await h.newOrg('B');
  const inA = await h.engine.tenant(a.orgId, async (tx) => {
    const v = tx.crypto.encrypt('row-1', 'body', 'hello')!;
    assert.equal(tx.crypto.decrypt('row-1', 'body', v), 'hello');
    assert.throws(() => tx.crypto.decrypt('row-2', 'body', v));
    assert.throws(() => tx.crypto.decrypt('row-1', 'subject', v));
    // Same plaintext twice → different ciphertexts (random nonce), same blind index.
    assert.notDeepEqual(tx.crypto.encrypt('r', 'f', 'x'), tx.crypto.encrypt('r', 'f', 'x'));
    assert.deepEqual(tx.crypto.blindIndex('phone', '+1'), tx.crypto.blindIndex('phone', '+1'));
    return { v, idx: tx.crypto.blindIndex('phone', '+1') };
  });
  await h.engine.tenant(b.orgId, async (tx) => {
    assert.throws(() => tx.crypto.decrypt('row-1', 'body', inA.v));
    assert.notDeepEqual(tx.crypto.blindIndex('phone', '+1'), inA.idx, 'blind index keys are per org');
  });
});

test('rotation: new writes use the new version, old values still decrypt, blind index is stable', async () => {
  const { orgId } = await h.newOrg();
  const before = await h.engine.tenant(orgId, async (tx) => ({ v: tx.crypto.encrypt('r', 'f', 'old')!, idx: tx.crypto.blindIndex('email', 'a@b.c') }));
  assert.equal(sealedKeyVersion(before.v), 1);
  const version = await h.engine.tenant(orgId, (tx) => h.engine.keyring.rotate(tx.trx, orgId));
  assert.equal(version, 2);
  await h.engine.tenant(orgId, async (tx) => {
    const fresh = tx.crypto.encrypt('r', 'f', 'new')!;
    assert.equal(sealedKeyVersion(fresh), 2);
    assert.equal(tx.crypto.decrypt('r', 'f', before.v), 'old');
    assert.deepEqual(tx.crypto.blindIndex('email', 'a@b.c'), before.idx);
  });
});

test('a new master key re-wraps data keys (as the owner); the old master can no longer unwrap them', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { openDatabase } = await import('../db/database.ts');
  const { freshDatabaseUrl } = await import('../../test/harness.ts');
  const { createOrg } = await import('../orgs.ts');
  const fresh = await freshDatabaseUrl();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-rewrap-'));
  const where = { databaseUrl: fresh?.url, pgliteDir: path.join(dir, 'pg') };
  const oldMaster = crypto.randomBytes(32);
  const newMaster = crypto.randomBytes(32);
  try {
    let db = await openDatabase(where);
    const { org } = await createOrg({ db, keyring: createKeyring(oldMaster) }, { name: 'Rewrap' });
    const sealed = await withTenantRaw(db, org.id, async (trx) => (await createKeyring(oldMaster).forOrg(trx, org.id)).encrypt('r', 'f', 'kept')!);
    await db.close();
    let rewrapped = 0;
    db = await openDatabase({ ...where, asOwner: async ({ main }) => void (rewrapped = await rewrapAll(main, oldMaster, newMaster)) });
    assert.ok(rewrapped >= 1);
    await withTenantRaw(db, org.id, async (trx) => {
      const c = await createKeyring(newMaster).forOrg(trx, org.id);
      assert.equal(c.decrypt('r', 'f', sealed), 'kept');
    });
    await assert.rejects(withTenantRaw(db, org.id, (trx) => createKeyring(oldMaster).forOrg(trx, org.id)), /could not be unwrapped/);
    await db.close();
  } finally {
    await fresh?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the master key fingerprint is recorded once and a different key is refused', async () => {
  const k1 = crypto.randomBytes(32);
  const k2 = crypto.randomBytes(32);
  assert.notEqual(masterFingerprint(k1), masterFingerprint(k2));
  const { openDatabase } = await import('../db/database.ts');
  const { freshDatabaseUrl } = await import('../../test/harness.ts');
  const fresh = await freshDatabaseUrl();
  let seen: string | undefined;
  const db = await openDatabase({
    databaseUrl: fresh?.url,
    asOwner: async ({ main }) => {
      await checkMasterFingerprint(main, k1);
      await checkMasterFingerprint(main, k1);
      await assert.rejects(checkMasterFingerprint(main, k2), (e: Error) => {
        seen = e.message;
        return /does not match/.test(e.message);
      });
    },
  });
  await db.close();
  await fresh?.drop();
  assert.match(seen!, new RegExp(masterFingerprint(k1)));
});

test('crypto-shredding: after an org is deleted its keys are gone and its data cannot be read', async () => {
  const { orgId } = await h.newOrg();
  const sealed = await h.engine.tenant(orgId, async (tx) => tx.crypto.encrypt('r', 'f', 'secret')!);
  await h.engine.tenant(orgId, (tx) => h.engine.keyring.shred(tx.trx, orgId));
  await assert.rejects(h.engine.tenant(orgId, async () => undefined), /No such org/);
  const keys = await withTenantRaw(h.engine.db, orgId, (trx) => trx('org_keys').where({ org_id: orgId }));
  assert.equal(keys.length, 0);
  assert.ok(sealed.length > 0);
});
