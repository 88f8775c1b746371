import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';

/**
 * The database's own ceiling, measured in the same run as the benchmark beside it: single-row
 * INSERTs of text + uuid + jsonb, one per transaction (the shape of an inbound message, without
 * our engine), 8 clients. Every benchmark prints its throughput as a ratio of this.
 *
 * Production: pgbench (Debian's postgresql package ships it) against a scratch table in the given
 * database, `-c 8 -j 2 -T seconds`, tps read from its output. Embedded: the same statement through
 * a PGlite instance on disk (PGlite has one connection, so "8 clients" is 8 callers queued on it).
 */
export interface Ceiling {
  tool: 'pgbench' | 'pglite';
  tps: number;
  clients: number;
  seconds: number;
}

const TABLE = 'bench_ceiling';
const CREATE = `CREATE TABLE IF NOT EXISTS ${TABLE} (id bigserial PRIMARY KEY, body text NOT NULL, ref uuid NOT NULL, meta jsonb NOT NULL)`;
const INSERT = `INSERT INTO ${TABLE} (body, ref, meta) VALUES ('Benchmark message: the kitchen sink in unit 4B is leaking again.', gen_random_uuid(), '{"unit":"4B","bench":true}'::jsonb)`;

export async function measureCeiling(databaseUrl: string | undefined, seconds = 8): Promise<Ceiling> {
  return databaseUrl ? pgbenchCeiling(databaseUrl, seconds) : pgliteCeiling(seconds);
}

async function pgbenchCeiling(url: string, seconds: number): Promise<Ceiling> {
  const clients = 8;
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(CREATE);
    const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sb-ceiling-')), 'insert.sql');
    fs.writeFileSync(script, INSERT + ';\n');
    const out = await run('pgbench', ['-n', '-f', script, '-c', String(clients), '-j', '2', '-T', String(seconds), url]);
    const m = /tps = ([\d.]+)/.exec(out);
    if (!m) throw new Error(`pgbench printed no tps:\n${out}`);
    return { tool: 'pgbench', tps: Math.round(Number(m[1])), clients, seconds };
  } finally {
    await c.query(`DROP TABLE IF EXISTS ${TABLE}`).catch(() => {});
    await c.end();
  }
}

async function pgliteCeiling(seconds: number): Promise<Ceiling> {
  const { PGlite } = await import('@electric-sql/pglite');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-ceiling-'));
  const db = new PGlite(dir);
  const clients = 8;
  try {
    await db.exec(CREATE);
    let done = 0;
    const until = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (performance.now() < until) {
          await db.query(INSERT);
          done++;
        }
      }),
    );
    return { tool: 'pglite', tps: Math.round(done / seconds), clients, seconds };
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited ${code}:\n${out}`))));
  });
}

/** "12.3 % of the ceiling (151 / 12185 tps, pgbench)" */
export function ratioLine(perSecond: number, ceiling: Ceiling): string {
  return `${(perSecond / ceiling.tps).toFixed(3)}× the raw insert ceiling (${Math.round(perSecond)} / ${ceiling.tps} per s, ${ceiling.tool}, ${ceiling.clients} clients, ${ceiling.seconds} s)`;
}
