import { test } from 'vitest';
import assert from 'node:assert/strict';
import { freshDatabaseUrl } from '../../test/harness.ts';
import { openDatabase, type Database } from './database.ts';

test('replicas starting at once all come up: migrations run once, the others wait', async () => {
  const fresh = await freshDatabaseUrl();
  // Embedded mode has one process per data dir; the race only exists against a shared PostgreSQL.
  const opened: Database[] = [];
  const ranBy: string[][] = [];
  try {
    const starts = (fresh ? [1, 2, 3] : [1]).map(() =>
      openDatabase({ databaseUrl: fresh?.url, asOwner: async ({ migrated }) => void ranBy.push(migrated) }),
    );
    opened.push(...(await Promise.all(starts)));
    const withWork = ranBy.filter((r) => r.length > 0);
    assert.equal(withWork.length, 1, 'exactly one start ran the migrations');
    for (const db of opened) assert.equal((await db.knex.raw('SELECT count(*)::int AS n FROM messages')).rows[0].n, 0);
  } finally {
    await Promise.all(opened.map((db) => db.close()));
    await fresh?.drop();
  }
});
