import { test } from 'vitest';
import assert from 'node:assert/strict';
import pg from 'pg';
import { realServices, startHarness } from '../../test/harness.ts';
import { appendEvent, readOrgEvents } from './events.ts';
import { START } from './cursor.ts';
import { waitFor } from '../../test/wait.ts';

test('a long transaction in another database of the server does not hold back the feed', async () => {
  const h = await startHarness();
  const other = realServices() ? new pg.Client({ connectionString: process.env.DATABASE_URL }) : null;
  try {
    const { orgId } = await h.newOrg();
    if (other) {
      await other.connect();
      await other.query('BEGIN');
      // An xid is assigned: this transaction is "running" for every snapshot on the server.
      await other.query('SELECT pg_current_xact_id()');
    }
    await h.engine.tenant(orgId, (tx) => appendEvent(tx, { type: 'test.visible', data: {} }));
    // The other database's transaction stays open throughout: if it held the horizon back, the
    // event would never settle. A wait, not one read: under a loaded suite this database's own
    // background work (the relay's transaction) can be open at the instant of the first read.
    const rows = await waitFor('the event to settle while another database has an older transaction open', async () => {
      const r = await h.engine.tenant(orgId, (tx) => readOrgEvents(tx.trx, START, 100, { types: ['test.visible'] }));
      return r.length ? r : undefined;
    });
    assert.equal(rows?.length, 1, 'the event is settled although another database has an older transaction open');
    if (other) {
      const { rows: r } = await h.engine.db.knex.raw('SELECT sb_settled_horizon()::text AS h, pg_snapshot_xmin(pg_current_snapshot())::text AS x');
      assert.ok(BigInt(r[0].h) > BigInt(r[0].x), 'the cluster-wide xmin is held back, our horizon is not');
    }
  } finally {
    if (other) await other.end();
    await h.close();
  }
});

test('embedded: one PGlite session runs transactions one by one, so the horizon is the next transaction', async ({ skip }) => {
  skip(realServices(), 'PGlite only');
  const h = await startHarness();
  try {
    const { rows } = await h.engine.db.knex.raw('SELECT sb_settled_horizon()::text AS h, pg_snapshot_xmin(pg_current_snapshot())::text AS x');
    assert.equal(rows[0].h, rows[0].x);
  } finally {
    await h.close();
  }
});

test('a running transaction in our own database still holds the horizon (nothing is skipped)', async ({ skip }) => {
  skip(!realServices(), 'PostgreSQL only: PGlite has one session, transactions never overlap');
  const h = await startHarness();
  try {
    const { orgId } = await h.newOrg();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let appended!: () => void;
    const wrote = new Promise<void>((r) => (appended = r));
    const open = h.engine.tenant(orgId, async (tx) => {
      await appendEvent(tx, { type: 'test.late', data: {} });
      appended();
      await held;
    });
    await wrote;
    await h.engine.tenant(orgId, (tx) => appendEvent(tx, { type: 'test.early', data: {} }));
    const seen = await h.engine.tenant(orgId, (tx) => readOrgEvents(tx.trx, START, 100, { types: ['test.late', 'test.early'] }));
    assert.deepEqual(seen.map((r) => r.type), [], 'a later commit waits behind the open transaction of our database');
    release();
    await open;
    const after = await h.engine.tenant(orgId, (tx) => readOrgEvents(tx.trx, START, 100, { types: ['test.late', 'test.early'] }));
    assert.deepEqual(after.map((r) => r.type), ['test.late', 'test.early']);
  } finally {
    await h.close();
  }
});
