import { test } from 'vitest';
import assert from 'node:assert/strict';
import pg from 'pg';
import { freshDatabaseUrl, realServices, startHarness } from '../../test/harness.ts';
import { findOrCreateContactByHandle } from '../identity/contacts.ts';

test('contact PII lives in the pii schema, apart from message content', async () => {
  const h = await startHarness();
  try {
    const { orgId } = await h.newOrg();
    await h.engine.tenant(orgId, (tx) => findOrCreateContactByHandle(tx, { kind: 'phone', value: '+14155550134' }));
    const { rows } = await h.engine.db.knex.raw(
      `SELECT table_schema, table_name FROM information_schema.tables WHERE table_name IN ('contacts', 'contact_handles')`,
    );
    assert.deepEqual(rows.map((r: any) => r.table_schema).sort(), ['pii', 'pii']);
    const n = await h.engine.tenant(orgId, (tx) => tx.pii('pii.contact_handles').count('* as n').first());
    assert.equal(Number(n!.n), 1);
  } finally {
    await h.close();
  }
});

test('embedded mode refuses PII_DATABASE_URL', async () => {
  const { loadConfig } = await import('../config.ts');
  assert.throws(() => loadConfig({ PII_DATABASE_URL: 'postgres://x@127.0.0.1/pii' }), /PII_DATABASE_URL needs DATABASE_URL/);
});

test('PII_DATABASE_URL puts contacts in another database', async ({ skip }) => {
  skip(!realServices(), 'PostgreSQL only: a second database needs DATABASE_URL');
  const piiDb = (await freshDatabaseUrl())!;
  const h = await startHarness({ env: { PII_DATABASE_URL: piiDb.url } });
  try {
    const { orgId } = await h.newOrg();
    const made = await h.engine.tenant(orgId, (tx) => findOrCreateContactByHandle(tx, { kind: 'email', value: 'Ana@Example.com' }));
    const direct = new pg.Client({ connectionString: piiDb.url });
    await direct.connect();
    const inPii = await direct.query('SELECT id FROM pii.contacts');
    await direct.end();
    assert.deepEqual(inPii.rows.map((r) => r.id), [made.contactId]);
    const mainHasPii = await h.engine.db.knex.raw(`SELECT count(*)::int AS n FROM information_schema.schemata WHERE schema_name = 'pii'`);
    assert.equal(mainHasPii.rows[0].n, 0);
    const again = await h.engine.tenant(orgId, (tx) => findOrCreateContactByHandle(tx, { kind: 'email', value: 'ana@example.com' }));
    assert.equal(again.contactId, made.contactId);
  } finally {
    await h.close();
    await piiDb.drop();
  }
});
