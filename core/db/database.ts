import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { migrate } from './migrate.ts';
import { APP_ROLE } from '../../migrations/sql.ts';
import { createLogger } from '../logger.ts';

const log = createLogger('db');

// bigint columns (event seq) and xid8 come back as strings; keep them as strings (exact).
pg.types.setTypeParser(20, (v) => v);

export interface Database {
  kind: 'pglite' | 'postgres';
  /** Runs as the app role: row-level security applies. */
  knex: Knex;
  /** The knex that holds the pii schema; the same instance unless PII_DATABASE_URL is set. */
  pii: Knex;
  /** Subscribe to NOTIFY on a channel; resolves to an unsubscribe function. */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL URL; without it PGlite is used. */
  databaseUrl?: string;
  piiDatabaseUrl?: string;
  /** PGlite data directory; undefined = in memory. */
  pgliteDir?: string;
  /** A PGlite data directory dump (migratedPgliteDump) to start from instead of an empty cluster. */
  pgliteSeed?: Blob;
  /**
   * Work to do as the owning role before the connection drops to the app role: migrations,
   * master key fingerprint, key re-wrapping. Receives the owner knex(es) and the names of the
   * migrations this open ran.
   */
  asOwner?: (owner: { main: Knex; pii: Knex; migrated: string[] }) => Promise<void>;
  poolMax?: number;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  return opts.databaseUrl ? openPostgres(opts) : openPglite(opts);
}

const pgliteKnex = (pglite: PGlite): Knex => knexFactory({ client: ClientPgLite as any, connection: () => ({ pglite }) as object });

/**
 * A fresh in-memory PGlite with every migration applied, dumped as a gzipped tar: test harnesses
 * start each engine from it (pgliteSeed) instead of migrating an empty cluster every time. Holds
 * no org and no master-key fingerprint, so any master key may open it.
 */
export async function migratedPgliteDump(): Promise<Blob> {
  const pglite = await PGlite.create();
  const knex = pgliteKnex(pglite);
  try {
    await migrate(knex, knex);
    return await pglite.dumpDataDir('gzip');
  } finally {
    await knex.destroy();
    if (!pglite.closed) await pglite.close();
  }
}

async function openPglite(opts: OpenOptions): Promise<Database> {
  if (opts.pgliteDir) fs.mkdirSync(path.dirname(opts.pgliteDir), { recursive: true });
  const pglite = await PGlite.create(opts.pgliteDir, opts.pgliteSeed ? { loadDataDir: opts.pgliteSeed } : {});
  const knex = pgliteKnex(pglite);
  const migrated = await migrate(knex, knex);
  await opts.asOwner?.({ main: knex, pii: knex, migrated });
  // PGlite has exactly one session: from here on every query runs as the app role.
  await pglite.exec(`SET ROLE ${APP_ROLE}`);
  return {
    kind: 'pglite',
    knex,
    pii: knex,
    async listen(channel, onNotify) {
      const unsub = await pglite.listen(channel, () => onNotify());
      return async () => unsub();
    },
    async close() {
      await knex.destroy();
      if (!pglite.closed) await pglite.close();
    },
  };
}

function pgKnex(url: string, poolMax: number, asApp: boolean): Knex {
  return knexFactory({
    client: 'pg',
    connection: url,
    pool: {
      min: 0,
      max: poolMax,
      ...(asApp
        ? {
            // The login role may be the owner or a superuser (dev, CI); the app never keeps those rights.
            afterCreate: (conn: pg.Client, done: (err: Error | null, conn: pg.Client) => void) => {
              conn.query(`SET ROLE ${APP_ROLE}`).then(() => done(null, conn), (err: Error) => done(err, conn));
            },
          }
        : {}),
    },
  });
}

async function openPostgres(opts: OpenOptions): Promise<Database> {
  const url = opts.databaseUrl!;
  const piiUrl = opts.piiDatabaseUrl ?? url;
  const ownerMain = pgKnex(url, 1, false);
  const ownerPii = piiUrl === url ? ownerMain : pgKnex(piiUrl, 1, false);
  try {
    const migrated = await migrate(ownerMain, ownerPii);
    await opts.asOwner?.({ main: ownerMain, pii: ownerPii, migrated });
  } finally {
    await ownerMain.destroy();
    if (ownerPii !== ownerMain) await ownerPii.destroy();
  }
  const poolMax = opts.poolMax ?? 10;
  const knex = pgKnex(url, poolMax, true);
  const pii = piiUrl === url ? knex : pgKnex(piiUrl, poolMax, true);
  const listeners = new Set<pg.Client>();
  return {
    kind: 'postgres',
    knex,
    pii,
    async listen(channel, onNotify) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      client.on('notification', (n) => n.channel === channel && onNotify());
      client.on('error', (err) => log.warn({ err: err.message }, 'listen connection error'));
      await client.query(`LISTEN ${channel}`);
      listeners.add(client);
      return async () => {
        listeners.delete(client);
        await client.end().catch(() => {});
      };
    },
    async close() {
      await Promise.all([...listeners].map((c) => c.end().catch(() => {})));
      await knex.destroy();
      if (pii !== knex) await pii.destroy();
    },
  };
}
