import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { realServices, startHarness, type Harness } from '../../test/harness.ts';
import { withTenantRaw } from '../db/tenant.ts';
import { recordAudit, SYSTEM_ACTOR } from './record.ts';
import { sealAll, sealOrgNow } from './seal.ts';
import { verifyOrg } from './verify.ts';
import { listAudit } from './list.ts';
import { asOwner, swapPositions } from './testing.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

const record = (orgId: string, n: number, action = 'test.action') =>
  withTenantRaw(h.engine.db, orgId, async (trx) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      ids.push(await recordAudit({ orgId, trx }, { actor: SYSTEM_ACTOR, action, target: { type: 'thing', id: `t${i}` }, details: { i } }));
    }
    return ids;
  });

const positions = (orgId: string) =>
  withTenantRaw(h.engine.db, orgId, async (trx) =>
    (await trx('audit_log').select('id', trx.raw('position::int AS position')).orderBy('seq')).map((r: any): [string, number | null] => [r.id, r.position]),
  );

async function orgWith(n: number) {
  const { orgId } = await h.newOrg();
  const ids = await record(orgId, n);
  await sealOrgNow(h.engine.db, orgId);
  return { orgId, ids };
}

test('entries are written unsealed and sealed in commit order into an intact chain', async () => {
  const { orgId } = await h.newOrg();
  const first = await record(orgId, 2);
  const second = await record(orgId, 3);
  // org.created (from createOrg) + 5, none sealed yet.
  const before = await positions(orgId);
  assert.equal(before.length, 6);
  assert.ok(before.every(([, p]) => p === null));
  assert.ok((await sealAll(h.engine.db)) >= 6);
  const after = new Map(await positions(orgId));
  assert.deepEqual([...first, ...second].map((id) => after.get(id)), [2, 3, 4, 5, 6]);
  const result = await verifyOrg(h.engine.db, orgId);
  assert.deepEqual({ ok: result.ok, checked: result.checked, head: result.head.position, unsealed: result.unsealed }, { ok: true, checked: 6, head: 6, unsealed: 0 });
  // Sealing again changes nothing.
  assert.equal(await sealOrgNow(h.engine.db, orgId), 0);
});

test('an entry of a transaction still running is sealed after it commits, ahead of later ones', async ({ skip }) => {
  // PGlite has one connection, so no two transactions overlap there: the case only arises in PostgreSQL.
  skip(!realServices(), 'PostgreSQL only: PGlite has one connection, transactions never overlap');
  const { orgId } = await h.newOrg();
  await sealOrgNow(h.engine.db, orgId);
  const slow = await h.engine.db.knex.transaction();
  await slow.raw(`SELECT set_config('app.org_id', ?, true)`, [orgId]);
  const early = await recordAudit({ orgId, trx: slow }, { actor: SYSTEM_ACTOR, action: 'slow' });
  const [late] = await record(orgId, 1, 'fast');
  assert.equal(await sealOrgNow(h.engine.db, orgId), 0, 'a later transaction waits for the one still running');
  await slow.commit();
  assert.equal(await sealOrgNow(h.engine.db, orgId), 2);
  const p = new Map(await positions(orgId));
  assert.deepEqual([p.get(early), p.get(late)], [2, 3]);
  assert.equal((await verifyOrg(h.engine.db, orgId)).ok, true);
});

test('the app role cannot change or delete entries, nor set anything but the seal', async () => {
  const { orgId, ids } = await orgWith(1);
  const denied = async (fn: (trx: any) => Promise<unknown>, pattern: RegExp) =>
    assert.rejects(withTenantRaw(h.engine.db, orgId, fn), pattern);
  await denied((trx) => trx('audit_log').where({ id: ids[0] }).update({ position: 9 }), /sealed/);
  await denied((trx) => trx('audit_log').where({ id: ids[0] }).update({ action: 'x' }), /permission denied/);
  await denied((trx) => trx('audit_log').where({ id: ids[0] }).delete(), /permission denied|append-only/);
  const [unsealed] = await record(orgId, 1);
  await denied((trx) => trx('audit_log').where({ id: unsealed }).update({ details: '{"i":1}' }), /permission denied/);
  // Even the owner cannot, while the trigger is on.
  await assert.rejects(
    h.engine.db.knex.transaction(async (trx) => {
      await trx.raw('SET LOCAL ROLE NONE');
      await trx('audit_log').where({ id: ids[0] }).delete();
    }),
    /append-only/,
  );
});

test('verify names an edited entry', async () => {
  const { orgId, ids } = await orgWith(4);
  await asOwner(h.engine.db, (trx) => trx('audit_log').where({ id: ids[1] }).update({ details: JSON.stringify({ i: 99 }) }).then(() => {}));
  const r = await verifyOrg(h.engine.db, orgId);
  assert.equal(r.ok, false);
  assert.deepEqual({ id: r.firstBad?.id, position: r.firstBad?.position, reason: r.firstBad?.reason }, { id: ids[1], position: 3, reason: 'edited' });
});

test('verify names an entry edited and re-hashed (its successor still links to the original)', async () => {
  const { orgId, ids } = await orgWith(3);
  const { entryHash } = await import('./chain.ts');
  const { AUDIT_COLUMNS, buf, chainFields } = await import('./rows.ts');
  await asOwner(h.engine.db, async (trx) => {
    await trx('audit_log').where({ id: ids[0] }).update({ action: 'forged' });
    const { rows } = await trx.raw(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE id = ?`, [ids[0]]);
    await trx('audit_log').where({ id: ids[0] }).update({ hash: entryHash(buf(rows[0].prev_hash)!, chainFields(rows[0], 2)) });
  });
  const r = await verifyOrg(h.engine.db, orgId);
  assert.deepEqual([r.firstBad?.id, r.firstBad?.position, r.firstBad?.reason], [ids[0], 2, 'edited']);
});

test('verify names a deleted entry (a gap), and deleted newest entries (the head)', async () => {
  const { orgId, ids } = await orgWith(4);
  await asOwner(h.engine.db, (trx) => trx('audit_log').where({ id: ids[1] }).delete().then(() => {}));
  const r = await verifyOrg(h.engine.db, orgId);
  assert.deepEqual([r.firstBad?.id, r.firstBad?.position, r.firstBad?.reason], [ids[2], 4, 'missing']);
  assert.match(r.firstBad!.message, /position 3 is missing/);

  const tail = await orgWith(3);
  await asOwner(h.engine.db, (trx) => trx('audit_log').whereIn('id', tail.ids.slice(1)).delete().then(() => {}));
  const t = await verifyOrg(h.engine.db, tail.orgId);
  assert.deepEqual([t.firstBad?.id, t.firstBad?.position, t.firstBad?.reason], [null, 3, 'missing']);
  assert.equal(t.checked, 2);
});

test('verify names reordered entries', async () => {
  const { orgId, ids } = await orgWith(4);
  await asOwner(h.engine.db, (trx) => swapPositions(trx, orgId, 3, 4));
  const r = await verifyOrg(h.engine.db, orgId);
  assert.deepEqual([r.firstBad?.id, r.firstBad?.position, r.firstBad?.reason], [ids[2], 3, 'reordered']);
});

test('another org’s entries are invisible, and its chain independent', async () => {
  const a = await orgWith(2);
  const b = await orgWith(5);
  await asOwner(h.engine.db, (trx) => trx('audit_log').where({ id: b.ids[0] }).update({ action: 'forged' }).then(() => {}));
  assert.equal((await verifyOrg(h.engine.db, a.orgId)).ok, true);
  assert.equal((await verifyOrg(h.engine.db, b.orgId)).ok, false);
  const page = await listAudit(h.engine.db, a.orgId, { limit: 100 });
  assert.deepEqual(page.data.map((e) => e.position), [3, 2, 1]);
  assert.ok(page.data.every((e) => !b.ids.includes(e.id)));
});

test('listing pages newest first and filters', async () => {
  const { orgId, ids } = await orgWith(5);
  const p1 = await listAudit(h.engine.db, orgId, { limit: 4 });
  assert.deepEqual(p1.data.map((e) => e.position), [6, 5, 4, 3]);
  assert.equal(p1.hasMore, true);
  const p2 = await listAudit(h.engine.db, orgId, { limit: 4, cursor: p1.nextCursor! });
  assert.deepEqual(p2.data.map((e) => e.position), [2, 1]);
  assert.equal(p2.hasMore, false);
  assert.equal(p2.data[1].action, 'org.created');
  const byTarget = await listAudit(h.engine.db, orgId, { targetType: 'thing', targetId: 't3' });
  assert.deepEqual(byTarget.data.map((e) => e.id), [ids[3]]);
  assert.equal((await listAudit(h.engine.db, orgId, { action: 'org.created,nope' })).data.length, 1);
  assert.equal((await listAudit(h.engine.db, orgId, { until: '2000-01-01T00:00:00Z' })).data.length, 0);
  const e = p1.data[1];
  assert.equal(e.prevHash, p1.data[2].hash);
});

test('the periodic sealer chains new entries without anyone asking', async () => {
  const { startAuditSealer } = await import('./sealer.ts');
  const { waitFor } = await import('../../test/wait.ts');
  const { orgId } = await h.newOrg();
  const ids = await record(orgId, 2);
  const sealer = startAuditSealer(h.engine, { intervalMs: 20 });
  try {
    await waitFor('the sealer to chain the entries', async () => {
      const p = new Map(await positions(orgId));
      return ids.every((id) => p.get(id) !== null);
    });
  } finally {
    await sealer.stop();
  }
  assert.deepEqual((await positions(orgId)).map(([, p]) => p), [1, 2, 3]);
});

test('verify: several deleted entries are named as a range, in the middle and at the head', async () => {
  const { orgId, ids } = await orgWith(5); // positions 1 (org.created) … 6
  await asOwner(h.engine.db, (trx) => trx('audit_log').whereIn('id', [ids[1], ids[2]]).delete().then(() => {}));
  const r = await verifyOrg(h.engine.db, orgId);
  assert.deepEqual([r.firstBad?.id, r.firstBad?.position, r.firstBad?.reason, r.checked], [ids[3], 5, 'missing', 3]);
  assert.match(r.firstBad!.message, /positions 3–4 are missing/);

  const one = await orgWith(3); // 1 … 4
  await asOwner(h.engine.db, (trx) => trx('audit_log').where({ id: one.ids[2] }).delete().then(() => {}));
  const o = await verifyOrg(h.engine.db, one.orgId);
  assert.deepEqual([o.firstBad?.id, o.firstBad?.position, o.firstBad?.reason], [null, 4, 'missing']);
  assert.match(o.firstBad!.message, /the chain head names 4 entries: entry 4 is missing/);

  const two = await orgWith(3);
  await asOwner(h.engine.db, (trx) => trx('audit_log').whereIn('id', two.ids.slice(1)).delete().then(() => {}));
  const t = await verifyOrg(h.engine.db, two.orgId);
  assert.match(t.firstBad!.message, /the chain head names 4 entries: entries 3–4 are missing/);
});

test('verify: the newest entry edited and re-hashed is caught by the chain head; a clean chain reports its head', async () => {
  const { orgId, ids } = await orgWith(2); // 1 … 3
  const clean = await verifyOrg(h.engine.db, orgId);
  assert.deepEqual({ ok: clean.ok, checked: clean.checked, position: clean.head.position, unsealed: clean.unsealed, bad: clean.firstBad }, { ok: true, checked: 3, position: 3, unsealed: 0, bad: undefined });
  assert.match(clean.head.hash!, /^[0-9a-f]{64}$/);
  const listed = await listAudit(h.engine.db, orgId, { limit: 1 });
  assert.equal(listed.data[0].hash, clean.head.hash);
  const { entryHash } = await import('./chain.ts');
  const { AUDIT_COLUMNS, buf, chainFields } = await import('./rows.ts');
  await asOwner(h.engine.db, async (trx) => {
    await trx('audit_log').where({ id: ids[1] }).update({ action: 'forged' });
    const { rows } = await trx.raw(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE id = ?`, [ids[1]]);
    await trx('audit_log').where({ id: ids[1] }).update({ hash: entryHash(buf(rows[0].prev_hash)!, chainFields(rows[0], 3)) });
  });
  const r = await verifyOrg(h.engine.db, orgId);
  assert.deepEqual([r.ok, r.firstBad?.id, r.firstBad?.position, r.firstBad?.reason], [false, ids[1], 3, 'edited']);
  assert.match(r.firstBad!.message, /chain head still holds its original hash/);
});

test('verify: an entry whose link is forged to genesis at position 1 is edited, as is a first entry not starting the chain', async () => {
  const { orgId } = await orgWith(1); // 1 … 2
  const { entryHash } = await import('./chain.ts');
  const { AUDIT_COLUMNS, buf, chainFields } = await import('./rows.ts');
  // Re-link the first entry to a made-up predecessor and re-hash it: it no longer starts the chain.
  await asOwner(h.engine.db, async (trx) => {
    const { rows } = await trx.raw(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE org_id = ? AND position = 1`, [orgId]);
    const fake = Buffer.alloc(32, 9);
    await trx('audit_log').where({ id: rows[0].id }).update({ prev_hash: fake, hash: entryHash(fake, chainFields(rows[0], 1)) });
  });
  const r = await verifyOrg(h.engine.db, orgId);
  assert.deepEqual([r.ok, r.firstBad?.position, r.firstBad?.reason], [false, 1, 'edited']);
  assert.match(r.firstBad!.message, /the first entry does not start the chain/);
  assert.equal(buf(null), null);
});

test('listing: filters by actor, since/until bounds, trims action lists, refuses a foreign cursor, default limit 50', async () => {
  const { orgId } = await h.newOrg();
  await withTenantRaw(h.engine.db, orgId, async (trx) => {
    await recordAudit({ orgId, trx }, { actor: { type: 'api_key', id: 'key_a' }, action: 'api_key.created', target: { type: 'api_key', id: 'k1' } });
    await recordAudit({ orgId, trx }, { actor: { type: 'user', id: 'user_b' }, action: 'api_key.revoked', target: { type: 'api_key', id: 'k1' } });
  });
  assert.deepEqual((await listAudit(h.engine.db, orgId, { actorId: 'user_b' })).data.map((e) => e.action), ['api_key.revoked']);
  assert.deepEqual((await listAudit(h.engine.db, orgId, { action: ' api_key.created , ,api_key.revoked ' })).data.map((e) => e.action), ['api_key.revoked', 'api_key.created']);
  const all = await listAudit(h.engine.db, orgId);
  assert.equal(all.data.length, 3);
  assert.equal(all.hasMore, false);
  assert.equal(all.nextCursor, null);
  // The two keys were audited in one transaction (one created_at); org.created earlier.
  const newest = all.data[0].createdAt;
  assert.equal((await listAudit(h.engine.db, orgId, { since: newest })).data.length, 2);
  assert.deepEqual((await listAudit(h.engine.db, orgId, { until: newest })).data.map((e) => e.action), ['org.created']);
  assert.equal((await listAudit(h.engine.db, orgId, { since: '2999-01-01T00:00:00Z' })).data.length, 0);
  await assert.rejects(listAudit(h.engine.db, orgId, { cursor: Buffer.from('events:5').toString('base64url') }), (err: any) => err.status === 400 && /cursor/.test(JSON.stringify(err.details ?? err.message)));
  await assert.rejects(listAudit(h.engine.db, orgId, { cursor: Buffer.from('audit:x5').toString('base64url') }), (err: any) => err.status === 400);
  // More than 50 entries: the default page is 50 and says there is more.
  await withTenantRaw(h.engine.db, orgId, async (trx) => {
    for (let i = 0; i < 50; i++) await recordAudit({ orgId, trx }, { actor: SYSTEM_ACTOR, action: 'bulk.entry' });
  });
  const page = await listAudit(h.engine.db, orgId);
  assert.equal(page.data.length, 50);
  assert.equal(page.hasMore, true);
  assert.equal(page.data.at(-1)!.position, 4);
  const rest = await listAudit(h.engine.db, orgId, { cursor: page.nextCursor! });
  assert.deepEqual(rest.data.map((e) => e.position), [3, 2, 1]);
  assert.deepEqual(rest.data[2].target, { type: 'org', id: orgId });
  assert.equal(page.data[0].target, null);
  assert.deepEqual(rest.data[0].target, { type: 'api_key', id: 'k1' });
});
