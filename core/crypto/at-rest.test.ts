import { test } from 'vitest';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig } from '../config.ts';
import { createEngine } from '../engine.ts';
import { createOrg } from '../orgs.ts';
import { ingestInbound } from '../messages/ingest.ts';
import { freshDatabaseUrl, testEnv } from '../../test/harness.ts';
import { insertContact, insertHandle } from '../identity/contacts.ts';

/** Every regular file under dir whose bytes contain needle. */
function filesContaining(dir: string, needle: Buffer): string[] {
  const hits: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath ?? (entry as any).path, entry.name);
    try {
      if (fs.readFileSync(file).includes(needle)) hits.push(file);
    } catch {
      // files that vanish or cannot be read (sockets, pid files) hold no table data
    }
  }
  return hits;
}

test('message bodies, subjects, names and handles never reach storage in clear', async () => {
  const marker = `MARKER${crypto.randomBytes(8).toString('hex')}`;
  // Control: org names are stored in clear, so the scan must find this one (proves the scan sees data).
  const control = `CONTROL${crypto.randomBytes(8).toString('hex')}`;
  const fresh = await freshDatabaseUrl();
  const env = testEnv(fresh ? { DATABASE_URL: fresh.url } : {});
  const config = loadConfig(env);
  const pgliteDir = path.join(config.dataDir, 'pgdata');
  const engine = await createEngine(config, { pgliteDir });
  try {
    const { org } = await createOrg(engine, { name: control });
    const read = await engine.tenant(org.id, async (tx) => {
      const contactId = await insertContact(tx, { name: `Name ${marker}` });
      await insertHandle(tx, contactId, { kind: 'email', value: `${marker.toLowerCase()}@example.com` });
      const { message } = await ingestInbound(tx, {
        channel: 'email',
        from: { contactId },
        to: { address: 'support@example.com' },
        subject: `Subject ${marker}`,
        body: `Body ${marker}`,
        providerMessageId: 'at-rest-1',
      });
      return message;
    });
    assert.equal(read.body, `Body ${marker}`, 'the API view decrypts');
    const needle = Buffer.from(marker);
    const lower = Buffer.from(marker.toLowerCase());

    if (!fresh) {
      await engine.close();
      const hits = [...filesContaining(pgliteDir, needle), ...filesContaining(pgliteDir, lower)];
      assert.deepEqual(hits, [], 'no PGlite data file holds the marker');
      assert.ok(filesContaining(pgliteDir, Buffer.from(control)).length > 0, 'the scan finds clear-text data');
      return;
    }
    const dump = execFileSync('pg_dump', ['--no-owner', fresh.url], { maxBuffer: 256 * 1024 * 1024 });
    assert.ok(dump.includes(Buffer.from('CREATE TABLE public.messages')), 'the dump is real');
    assert.equal(dump.includes(needle) || dump.includes(lower), false, 'pg_dump holds no marker');
    assert.ok(dump.includes(Buffer.from(control)), 'the dump holds clear-text data');
    // The server's files too: the database's heap files and the WAL, after a checkpoint.
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query('CHECKPOINT');
    const dataDir = (await admin.query('SHOW data_directory')).rows[0].data_directory as string;
    const dbOid = (await admin.query('SELECT oid FROM pg_database WHERE datname = $1', [new URL(fresh.url).pathname.slice(1)])).rows[0].oid;
    await admin.end();
    if (fs.existsSync(dataDir)) {
      const hits = [...filesContaining(path.join(dataDir, 'base', String(dbOid)), needle), ...filesContaining(path.join(dataDir, 'pg_wal'), needle)];
      assert.deepEqual(hits, [], 'no heap or WAL file holds the marker');
      assert.ok(filesContaining(path.join(dataDir, 'base', String(dbOid)), Buffer.from(control)).length > 0, 'the scan finds clear-text data');
    }
  } finally {
    await engine.close().catch(() => {});
    await fresh?.drop();
    fs.rmSync(config.dataDir, { recursive: true, force: true });
  }
});
