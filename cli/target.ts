import type { Config } from '../core/config.ts';
import { createEngine, type Engine } from '../core/engine.ts';
import { AppError, type ErrorCode } from '../core/errors.ts';
import { liveServer, type AdminInfo } from './admin-file.ts';

/**
 * Where an admin command runs: through the running server's local admin endpoint (embedded mode
 * while a server holds the PGlite data dir) or directly on the database (no server running, or
 * production mode, where PostgreSQL serves many processes).
 */
export interface AdminClient {
  call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T>;
}

// A server that is starting (pid written, endpoint not yet up) or stopping gets this long.
const WAIT_MS = 20_000;

function clientFor(info: Required<AdminInfo>): AdminClient {
  return {
    async call<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await fetch(info.url + path, {
        method,
        headers: {
          authorization: `Bearer ${info.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
      const json = (await res.json().catch(() => ({}))) as any;
      if (!res.ok) {
        throw new AppError((json?.error?.code as ErrorCode) ?? 'internal', json?.error?.message ?? `Admin endpoint answered ${res.status}.`);
      }
      return json as T;
    },
  };
}

async function answers(info: AdminInfo): Promise<boolean> {
  if (!info.url || !info.token) return false;
  try {
    const res = await fetch(`${info.url}/internal/admin/ping`, {
      headers: { authorization: `Bearer ${info.token}` },
      signal: AbortSignal.timeout(2_000),
    });
    return res.ok;
  } catch {
    return false;
  }
}

/** The running server's admin client, or null when the command should open the database itself. */
export async function findServer(config: Config): Promise<AdminClient | null> {
  if (config.mode !== 'embedded') return null;
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const info = liveServer(config.dataDir);
    if (!info) return null;
    if (await answers(info)) return clientFor(info as Required<AdminInfo>);
    if (Date.now() > deadline) {
      throw new AppError(
        'conflict',
        `A Switchboard server (pid ${info.pid}) holds ${config.dataDir} but its admin endpoint does not answer. ` +
          'Retry when it has started, or stop it.',
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Runs fn on a directly opened engine and closes it. */
export async function withEngine<T>(config: Config, fn: (engine: Engine) => Promise<T>): Promise<T> {
  const engine = await createEngine(config);
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

/** The command through the server when one holds the data dir, else directly. */
export async function viaServerOrDirect<T>(
  config: Config,
  server: (client: AdminClient) => Promise<T>,
  direct: (engine: Engine) => Promise<T>,
): Promise<T> {
  const client = await findServer(config);
  return client ? server(client) : withEngine(config, direct);
}
