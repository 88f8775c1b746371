import path from 'node:path';
import type { Config } from './config.ts';
import { openDatabase, type Database, type OpenOptions } from './db/database.ts';
import { withTenant, type TenantTx } from './db/tenant.ts';
import { createKeyring, type Keyring } from './crypto/keyring.ts';
import { checkMasterFingerprint, loadMasterKey } from './crypto/master.ts';
import { createQueue, type QueueAdapter } from './queue/index.ts';
import { createRealtime, type RealtimeAdapter } from './realtime/index.ts';
import { createLogger } from './logger.ts';
import { createRegistry, type Registry } from '../connectors/kit/index.ts';

const log = createLogger('engine');

/**
 * The engine's wiring: one database (RLS-scoped app role), the org keyring, the queue and the
 * realtime adapters. Services are plain factories over this object; api/ and the worker are
 * thin shells around it.
 */
export interface Engine {
  config: Config;
  db: Database;
  keyring: Keyring;
  queue: QueueAdapter;
  realtime: RealtimeAdapter;
  /** The installed connectors (built-ins + configured packages), handed in by whoever composes the process. */
  connectors: Registry;
  /** Runs fn in one transaction scoped to the org (RLS setting + the org's crypto). */
  tenant<T>(orgId: string, fn: (tx: TenantTx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface EngineOptions {
  /** PGlite directory; null = in memory (tests). Default: <dataDir>/pgdata. Ignored with DATABASE_URL. */
  pgliteDir?: string | null;
  /** Start the embedded database from this dump (core/db/database.ts migratedPgliteDump). */
  pgliteSeed?: Blob;
  poolMax?: number;
  /**
   * Extra owner-level work after migrations and the master key check (e.g. the CLI re-wrapping
   * every org key under a new master key). Receives the owner knex(es) and the migrations that ran.
   */
  asOwner?: OpenOptions['asOwner'];
  /**
   * The connector registry (app/connectors.ts createConnectorRegistry). Passed in rather than
   * built here because core imports no connector; default: an empty registry.
   */
  connectors?: Registry;
}

export async function createEngine(config: Config, opts: EngineOptions = {}): Promise<Engine> {
  const master = loadMasterKey(config);
  const pgliteDir = opts.pgliteDir === null ? undefined : (opts.pgliteDir ?? path.join(config.dataDir, 'pgdata'));
  const keyring = createKeyring(master);
  // Redis first: an unreachable one is named in a second, not after the migrations ran.
  const queue = await createQueue(config.redisUrl, config.redisPrefix);
  const realtime = await createRealtime(config.redisUrl, config.redisPrefix).catch(async (err) => {
    await queue.close();
    throw err;
  });
  let db: Awaited<ReturnType<typeof openDatabase>>;
  try {
    db = await openDatabase({
      databaseUrl: config.databaseUrl,
      piiDatabaseUrl: config.piiDatabaseUrl,
      pgliteDir,
      ...(opts.pgliteSeed ? { pgliteSeed: opts.pgliteSeed } : {}),
      poolMax: opts.poolMax,
      asOwner: async (owner) => {
        await checkMasterFingerprint(owner.main, master);
        await opts.asOwner?.(owner);
      },
    });
  } catch (err) {
    await Promise.allSettled([queue.close(), realtime.close()]);
    throw err;
  }
  log.info({ mode: config.mode, database: db.kind, queue: queue.kind, realtime: realtime.kind }, 'engine ready');
  const deps = { db, keyring };
  return {
    config,
    db,
    keyring,
    queue,
    realtime,
    connectors: opts.connectors ?? createRegistry(),
    tenant: (orgId, fn) => withTenant(deps, orgId, fn),
    async close() {
      await queue.close();
      await realtime.close();
      await db.close();
    },
  };
}
