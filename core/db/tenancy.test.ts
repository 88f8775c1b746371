import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { startHarness, type Harness } from '../../test/harness.ts';
import { appendEvent } from '../events/events.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

test('the app runs as a role that is neither owner nor superuser and cannot bypass RLS', async () => {
  const { rows } = await h.engine.db.knex.raw(
    `SELECT current_user AS who, r.rolsuper, r.rolbypassrls FROM pg_roles r WHERE r.rolname = current_user`,
  );
  assert.equal(rows[0].who, 'switchboard_app');
  assert.equal(rows[0].rolsuper, false);
  assert.equal(rows[0].rolbypassrls, false);
  const owners = await h.engine.db.knex.raw(`SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname IN ('public','pii')`);
  assert.ok(owners.rows.every((r: any) => r.tableowner !== 'switchboard_app'));
});

test('a query without the tenant setting sees no tenant rows at all', async () => {
  const a = await h.newOrg('A');
  await h.engine.tenant(a.orgId, (tx) => appendEvent(tx, { type: 'test.event', data: { x: 1 } }));
  for (const table of ['orgs', 'org_keys', 'api_keys', 'events']) {
    const rows = await h.engine.db.knex(table).select('*');
    assert.equal(rows.length, 0, `${table} must be invisible without a tenant`);
  }
  const inside = await h.engine.tenant(a.orgId, (tx) => tx.trx('events').select('type'));
  assert.deepEqual(inside.map((r: any) => r.type), ['test.event']);
});

test('one org cannot read or write another org rows inside its own transaction', async () => {
  const a = await h.newOrg('A');
  const b = await h.newOrg('B');
  await h.engine.tenant(a.orgId, (tx) => appendEvent(tx, { type: 'secret.a', data: {} }));
  const seenByB = await h.engine.tenant(b.orgId, (tx) => tx.trx('events').where({ org_id: a.orgId }));
  assert.equal(seenByB.length, 0);
  await assert.rejects(
    h.engine.tenant(b.orgId, (tx) =>
      tx.trx('events').insert({ id: crypto.randomUUID(), org_id: a.orgId, type: 'forged', data_enc: Buffer.alloc(40) }),
    ),
    /row-level security/,
  );
});
