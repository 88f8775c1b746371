import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshDatabaseUrl } from '../test/harness.ts';

/**
 * Test support for the CLI: real `node bin/switchboard.js` processes over a temp data dir, and in
 * real-services mode a fresh PostgreSQL database and Redis prefix per environment.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin/switchboard.js');

export interface CliEnv {
  env: Record<string, string>;
  dataDir: string;
  mode: 'embedded' | 'production';
  dispose(): Promise<void>;
}

export async function cliEnv(): Promise<CliEnv> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-cli-'));
  const fresh = await freshDatabaseUrl();
  // Only what the test sets: nothing of the parent's configuration leaks into the child.
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|PII_DATABASE_URL|REDIS_URL|REDIS_PREFIX|PORT|HOST|PUBLIC_URL|SWITCHBOARD_|LOG_LEVEL)/.test(k)),
  ) as Record<string, string>;
  const env: Record<string, string> = {
    ...inherited,
    NODE_ENV: 'test',
    SWITCHBOARD_DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    ...(fresh ? { DATABASE_URL: fresh.url } : {}),
    ...(fresh && process.env.REDIS_URL
      ? { REDIS_URL: process.env.REDIS_URL, REDIS_PREFIX: `sbt-cli-${crypto.randomBytes(4).toString('hex')}` }
      : {}),
  };
  return {
    env,
    dataDir,
    mode: fresh ? 'production' : 'embedded',
    async dispose() {
      await fresh?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string>, timeoutMs = 90_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`switchboard ${args.join(' ')} timed out; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface Server {
  child: ChildProcess;
  url: string;
  stdout(): string;
  /** SIGTERM and wait; resolves to the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `switchboard start` and resolves once its banner names the URL (with PUBLIC_URL set, give HOST and PORT). */
export function startCli(env: Record<string, string>, timeoutMs = 90_000): Promise<Server> {
  if (env.PUBLIC_URL && (!env.HOST || !Number(env.PORT))) throw new Error('with PUBLIC_URL set, give HOST and a PORT: the banner names PUBLIC_URL, not the port');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`start timed out; stdout: ${stdout}; stderr: ${stderr}`));
    }, timeoutMs);
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      stdout += d;
      // The banner is written in one piece; wait for its last line. It names PUBLIC_URL when set,
      // so then the caller chose the port and the process is reached on it directly.
      const url = env.PUBLIC_URL ? `http://${env.HOST}:${env.PORT}` : /API base\s+(http:\/\/\S+)\/v1/.exec(stdout)?.[1];
      if (url && stdout.includes('org create')) {
        clearTimeout(timer);
        resolve({
          child,
          url,
          stdout: () => stdout,
          async stop() {
            if (child.exitCode === null) child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`start exited with ${code}: ${stderr}`), { code, stderr }));
    });
  });
}

export interface Worker {
  child: ChildProcess;
  /** Everything it wrote (pino JSON lines on stdout, errors on stderr). */
  output(): string;
  exited: Promise<number | null>;
}

/**
 * Starts `switchboard worker` (production mode only) and resolves once it logs "worker running"
 * (logged at info, so LOG_LEVEL is raised to info unless the env sets it).
 */
export function startWorker(env: Record<string, string>, timeoutMs = 90_000): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'worker'], { cwd: ROOT, env: { LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker start timed out; output: ${out}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      out += d;
      if (out.includes('worker running')) {
        clearTimeout(timer);
        resolve({ child, output: () => out, exited });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}: ${out}`));
    });
  });
}

/** A port free right now (the OS's pick), for a process that must be told its port up front. */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}

/** Starting must fail: resolves to the exit code and stderr. */
export async function startFails(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  try {
    const server = await startCli(env);
    await server.stop();
  } catch (err) {
    const e = err as { code?: number | null; stderr?: string };
    if (e.stderr !== undefined) return { code: e.code ?? null, stderr: e.stderr };
    throw err;
  }
  throw new Error('start succeeded but was expected to fail');
}

export async function api(url: string, apiKey: string | null, method: string, p: string, body?: unknown) {
  const res = await fetch(url + p, {
    method,
    headers: {
      ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}
