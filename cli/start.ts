import path from 'node:path';
import { loadConfig, type Config } from '../core/config.ts';
import { createEngine } from '../core/engine.ts';
import { createConnectorRegistry } from '../connectors/registry.ts';
import { startBackgroundWork } from './background.ts';
import { createLogger } from '../core/logger.ts';
import { startAdminServer, startServer } from '../api/server.ts';
import { parse } from './args.ts';
import { assertDataDirFree, removeAdminInfo, writeAdminInfo } from './admin-file.ts';
import { cleanupStack, untilSignal } from './lifecycle.ts';
import { ensureDemoOrg, type DemoOrg } from './demo.ts';

const log = createLogger('cli');

const HELP = `Usage: switchboard start

Runs the platform in this process until SIGINT/SIGTERM.

Embedded (default, nothing configured): PGlite in $SWITCHBOARD_DATA_DIR/pgdata (default ./data),
in-process queue and realtime; the first start creates a demo org and prints its API key.
Production (DATABASE_URL and REDIS_URL set): PostgreSQL and Redis; run workers with
"switchboard worker".

Environment: PORT (default 3000), HOST (default 0.0.0.0), PUBLIC_URL, SWITCHBOARD_DATA_DIR,
SWITCHBOARD_MASTER_KEY, DATABASE_URL, REDIS_URL … (README.md, "Configuration").
`;

/** The URL people should use: PUBLIC_URL when set, else localhost on the bound port. */
function baseUrl(config: Config, port: number): string {
  if (process.env.PUBLIC_URL) return config.publicUrl;
  const host = ['0.0.0.0', '::', ''].includes(config.host) ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${port}`;
}

function banner(config: Config, url: string, demo: DemoOrg | null): string {
  const where =
    config.mode === 'embedded'
      ? `embedded mode: PGlite in ${path.join(config.dataDir, 'pgdata')}, in-process queue and realtime`
      : 'production mode: PostgreSQL and Redis';
  const lines = [
    '',
    `Switchboard is running (${where}).`,
    '',
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
      `Try: curl -H "Authorization: Bearer ${demo.apiKey}" ${url}/v1/sync`,
      '',
      `Dashboard sign-in (the owner's password, shown only this once): ${demo.owner.email}  ${demo.owner.password}`,
      '',
      `Sandbox connections (sends are simulated, callbacks come through the signed ingress): ${demo.connections.join(', ') || 'none'}`,
      '',
    );
  } else if (demo?.orgId) {
    lines.push(`Demo org: ${demo.orgId} (its API key was printed on the first start).`, '');
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
  const embedded = config.mode === 'embedded';
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
    // Started before the HTTP server and stopped after it (cli/background.ts).
    await startBackgroundWork(engine, cleanup);
    const api = await startServer(engine, { host: config.host, port: config.port });
    cleanup.push('http server', () => api.close());
    const url = baseUrl(config, api.port);
    // The OpenAPI document names the server; with PORT=0 only now do we know the port.
    if (!process.env.PUBLIC_URL) config.publicUrl = url;
    let demo: DemoOrg | null = null;
    if (embedded) {
      const admin = await startAdminServer(engine);
      cleanup.push('admin endpoint', () => admin.close());
      writeAdminInfo(config.dataDir, { pid: process.pid, url: admin.url, token: admin.token });
      demo = await ensureDemoOrg(engine);
    }
    log.info({ port: api.port, mode: config.mode }, 'listening');
    process.stdout.write(banner(config, url, demo));
    await untilSignal();
  } finally {
    await cleanup.run();
  }
  log.info('stopped');
  return 0;
}
