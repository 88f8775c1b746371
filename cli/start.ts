import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { loadConfig, type Config } from '../core/config.ts';
import { AppError } from '../core/errors.ts';
import { MASTER_KEY_FILE } from '../core/crypto/master.ts';
import { createEngine } from '../core/engine.ts';
import { createConnectorRegistry } from '../app/connectors.ts';
import { startBackgroundWork } from '../app/background.ts';
import { createLogger } from '../core/logger.ts';
import { startAdminServer, startServer } from '../api/server.ts';
import { parse } from './args.ts';
import { forkApiProcesses, isApiProcess, serveApiProcess } from './api-cluster.ts';
import { assertDataDirFree, removeAdminInfo, writeAdminInfo } from './admin-file.ts';
import { cleanupStack, untilSignal } from './lifecycle.ts';
import { ensureDemoOrg, type DemoOrg } from './demo.ts';
import type { DemoConnectionInfo } from './demo-connections.ts';

const log = createLogger('cli');

const HELP = `Usage: switchboard start

Runs the platform in this process until SIGINT/SIGTERM.

Embedded (default, nothing configured): PGlite in $SWITCHBOARD_DATA_DIR/pgdata (default ./data),
in-process queue and realtime; the first start creates a demo org and prints its API key.
Production (DATABASE_URL and REDIS_URL set): PostgreSQL and Redis; run workers with
"switchboard worker".

Production: API_PROCESSES=N runs N HTTP processes on the one port (node:cluster); this process
keeps the relay and the background work.

Environment: PORT (default 3000), HOST (default 0.0.0.0), PUBLIC_URL, API_PROCESSES, SWITCHBOARD_DATA_DIR,
SWITCHBOARD_MASTER_KEY, DATABASE_URL, REDIS_URL … (README.md, "Configuration").
`;

/** The URL people should use: PUBLIC_URL when set, else localhost on the bound port. */
function baseUrl(config: Config, port: number): string {
  if (config.publicUrlConfigured) return config.publicUrl;
  const host = ['0.0.0.0', '::', ''].includes(config.host) ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${port}`;
}

/**
 * Checked before anything else (migrations take a while): a port another process holds is one
 * clear line, not a stack trace after the database work. The probe is closed at once; the API
 * binds the port for real moments later.
 */
async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'is already in use (another Switchboard, or another program)' : `cannot be opened (${err.code ?? err.message})`;
      reject(new AppError('config_invalid', `Port ${port} on ${host} ${why}: stop that process or set PORT to a free port.`));
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** A sandbox send a newcomer can paste: the first demo connection that carries SMS. */
function sendExample(url: string, apiKey: string, connections: DemoConnectionInfo[]): string[] {
  if (!connections.some((c) => c.channels.includes('sms'))) return [];
  const body = JSON.stringify({ channel: 'sms', to: { handle: { kind: 'phone', value: '+14155550134' } }, body: 'Hello from the Switchboard sandbox' });
  return [
    'Send a sandbox SMS (nothing leaves; watch it go queued → sent → delivered in the dashboard or /v1/sync):',
    '',
    `  curl -X POST ${url}/v1/messages -H "Authorization: Bearer ${apiKey}" -H 'content-type: application/json' -d '${body}'`,
    '',
  ];
}

function connectionLines(connections: DemoConnectionInfo[]): string[] {
  if (!connections.length) return ['Sandbox connections: none', ''];
  const width = Math.max(...connections.map((c) => c.name.length)) + 2;
  return [
    'Sandbox connections (sends are simulated; their status callbacks come back through the signed ingress):',
    '',
    ...connections.map((c) => `  ${c.name.padEnd(width)}${c.id}  ${c.inboundUrl ? `inbound ${c.inboundUrl}` : 'no webhooks (the widget and the API)'}`),
    '',
  ];
}

function banner(config: Config, url: string, demo: DemoOrg | null, newMasterKey: string | null): string {
  const where =
    config.mode === 'embedded'
      ? `embedded mode: PGlite in ${path.join(config.dataDir, 'pgdata')}, in-process queue and realtime`
      : 'production mode: PostgreSQL and Redis';
  const lines = [
    '',
    `Switchboard is running (${where}).`,
    '',
    ...(newMasterKey
      ? [
          `! A new master key was generated in ${newMasterKey}. Back it up: without it nothing stored can be decrypted.`,
          '  In production, set SWITCHBOARD_MASTER_KEY instead.',
          '',
        ]
      : []),
    `  Dashboard   ${url}/`,
    `  API base    ${url}/v1`,
    `  Health      ${url}/v1/health`,
    `  OpenAPI     ${url}/v1/openapi.json`,
    `  Reference   ${url}/docs`,
    `  WebSocket   ${url.replace(/^http/, 'ws')}/v1/realtime`,
    '',
  ];
  if (demo?.created) {
    lines.push(
      `Created the demo org "${demo.org.name}" (id ${demo.org.id}). Its API key, shown only this once:`,
      '',
      `  ${demo.apiKey}`,
      '',
      `Lost it? npx switchboard keys create --org ${demo.org.id} makes another.`,
      '',
      `Try: curl -H "Authorization: Bearer ${demo.apiKey}" ${url}/v1/sync`,
      '',
      `Dashboard sign-in (the owner's password, shown only this once): ${demo.owner.email}  ${demo.owner.password}`,
      '',
      ...connectionLines(demo.connections),
      ...sendExample(url, demo.apiKey, demo.connections),
    );
  } else if (demo?.orgId) {
    lines.push(`Demo org: ${demo.orgId} (its API key was printed on the first start; npx switchboard keys create --org ${demo.orgId} makes a new one).`, '');
  }
  lines.push('New org and API key: npx switchboard org create --name "Acme" --json', 'New dashboard user: npx switchboard user create --org ID --email E --role admin', '');
  return lines.join('\n');
}

export async function run(args: string[]): Promise<number> {
  if (!parse('start', args, {})) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = loadConfig(process.env);
  // A forked HTTP process of API_PROCESSES: its primary checked the port and runs the rest.
  if (isApiProcess()) return serveApiProcess(config);
  const embedded = config.mode === 'embedded';
  await assertPortFree(config.host, config.port);
  // Known before the engine makes it: the banner tells to back it up (a log line scrolls away).
  const keyFile = path.join(config.dataDir, MASTER_KEY_FILE);
  const newMasterKey = !config.masterKey && !fs.existsSync(keyFile) ? keyFile : null;
  const cleanup = cleanupStack();
  if (embedded) {
    // Claim the data dir before opening PGlite, so a CLI command never opens it beside us.
    assertDataDirFree(config.dataDir, 'starting another server on it');
    writeAdminInfo(config.dataDir, { pid: process.pid });
    cleanup.push('admin file', async () => removeAdminInfo(config.dataDir));
  }
  try {
    const engine = await createEngine(config, { connectors: await createConnectorRegistry(config) });
    cleanup.push('engine', () => engine.close());
    // Started before the HTTP server and stopped after it (app/background.ts).
    await startBackgroundWork(engine, cleanup);
    const api = config.apiProcesses > 1 ? await forkApiProcesses(config.apiProcesses) : await startServer(engine, { host: config.host, port: config.port });
    cleanup.push(config.apiProcesses > 1 ? 'API processes' : 'http server', () => ('stop' in api ? api.stop() : api.close()));
    const url = baseUrl(config, api.port);
    // The OpenAPI document names the server; with PORT=0 only now do we know the port.
    if (!config.publicUrlConfigured) config.publicUrl = url;
    let demo: DemoOrg | null = null;
    if (embedded) {
      const admin = await startAdminServer(engine);
      cleanup.push('admin endpoint', () => admin.close());
      writeAdminInfo(config.dataDir, { pid: process.pid, url: admin.url, token: admin.token });
      demo = await ensureDemoOrg(engine);
    }
    log.info({ port: api.port, mode: config.mode, apiProcesses: config.apiProcesses }, 'listening');
    process.stdout.write(banner(config, url, demo, newMasterKey));
    await untilSignal();
  } finally {
    await cleanup.run();
  }
  log.info('stopped');
  return 0;
}
