import path from 'node:path';
import { AppError } from './errors.ts';

/**
 * The one configuration schema. Read once at start from the environment; every problem is
 * collected and reported together so an operator fixes them in one go.
 */
export interface Config {
  mode: 'embedded' | 'production';
  port: number;
  host: string;
  publicUrl: string;
  /** PUBLIC_URL was given: provider signatures are checked against it instead of the URL a request reached. */
  publicUrlConfigured: boolean;
  /**
   * Where this process reaches the API itself (INTERNAL_API_URL; default: publicUrl). Requests
   * are still signed over publicUrl: only the address they are sent to changes. In a container or
   * pod, the public URL may not route back in (a worker's localhost is the worker).
   */
  internalUrl?: string;
  dataDir: string;
  databaseUrl?: string;
  piiDatabaseUrl?: string;
  redisUrl?: string;
  /** Namespace for every Redis key and BullMQ queue (several deployments or test runs may share one Redis). */
  redisPrefix: string;
  /** 32 raw bytes, when given through SWITCHBOARD_MASTER_KEY; otherwise read from the data dir. */
  masterKey?: Buffer;
  bodyLimit: string;
  rateLimitPerMinute: number;
  relayPollMs: number;
  /** How often the retention job purges expired message content (RETENTION_INTERVAL_MS, default 1 h). */
  retentionIntervalMs: number;
  logLevel: string;
  /** Outbound webhooks may reach private/loopback addresses and plain-http localhost (WEBHOOKS_ALLOW_PRIVATE; default true embedded, false production). */
  webhooksAllowPrivate: boolean;
  /** Webhook attempts in flight per worker process (WEBHOOK_CONCURRENCY, default 32): across conversations; one conversation's stay in order. */
  webhookConcurrency: number;
  /** Third-party connector packages (npm names or absolute paths) from SWITCHBOARD_CONNECTORS, loaded at start. */
  connectorPackages: string[];
  /** When set, GET /metrics asks for it as a bearer token (METRICS_TOKEN). */
  metricsToken?: string;
  /** A worker serves /metrics on this port (METRICS_PORT); the API serves it on its own port. */
  metricsPort?: number;
  /**
   * TWILIO_API_BASE_URL: the Twilio SDK's requests go to this origin instead of api.twilio.com — a
   * local server that answers like Twilio (tests, benchmarks). Refused when NODE_ENV=production.
   */
  twilioApiBaseUrl?: string;
  /** Send jobs in flight per process (SEND_CONCURRENCY, default 16): each spends most of its time waiting on the database, Redis and the provider. */
  sendConcurrency: number;
  /**
   * HTTP processes `switchboard start` runs on the one port (API_PROCESSES, default 1; production
   * mode only): with more than one, node:cluster forks them and this process keeps the background
   * work (cli/api-cluster.ts).
   */
  apiProcesses: number;
}

type Env = Record<string, string | undefined>;

function int(env: Env, name: string, dflt: number, problems: string[], min = 0, max = 65535 * 1000): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
    return dflt;
  }
  return n;
}

function url(env: Env, name: string, protocols: string[], problems: string[]): string | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  try {
    const u = new URL(raw);
    if (!protocols.includes(u.protocol)) problems.push(`${name} must use ${protocols.join(' or ')} (got ${u.protocol})`);
  } catch {
    problems.push(`${name} is not a valid URL`);
  }
  return raw;
}

/** Accepts 32 bytes as base64 (44 chars) or hex (64 chars). */
export function parseMasterKey(raw: string): Buffer | undefined {
  const s = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(s)) return Buffer.from(s, 'hex');
  const b = Buffer.from(s, 'base64');
  return b.length === 32 ? b : undefined;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * How much to log and where, from the same environment as the rest of the config. The logger
 * reads it at its first use (module loggers are made at import, before a Config exists); an
 * unknown LOG_LEVEL falls back here and is reported by loadConfig with every other problem.
 * Tests are silent unless LOG_LEVEL says otherwise; one-shot commands log to stderr
 * (SWITCHBOARD_LOG_STDERR, set by cli/main.ts) so their stdout is just the result.
 */
export function logSettings(env: Env = process.env): { level: string; stderr: boolean } {
  const fallback = env.NODE_ENV === 'test' ? 'silent' : 'info';
  return { level: LOG_LEVELS.includes(env.LOG_LEVEL ?? '') ? env.LOG_LEVEL! : fallback, stderr: env.SWITCHBOARD_LOG_STDERR === '1' };
}

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const port = int(env, 'PORT', 3000, problems, 0, 65535);
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:'], problems);
  const piiDatabaseUrl = url(env, 'PII_DATABASE_URL', ['postgres:', 'postgresql:'], problems);
  const redisUrl = url(env, 'REDIS_URL', ['redis:', 'rediss:'], problems);
  if (piiDatabaseUrl && !databaseUrl) problems.push('PII_DATABASE_URL needs DATABASE_URL as well');
  let masterKey: Buffer | undefined;
  if (env.SWITCHBOARD_MASTER_KEY) {
    masterKey = parseMasterKey(env.SWITCHBOARD_MASTER_KEY);
    if (!masterKey) problems.push('SWITCHBOARD_MASTER_KEY must be 32 bytes, base64 (44 chars) or hex (64 chars)');
  } else if (env.NODE_ENV === 'production') {
    problems.push('SWITCHBOARD_MASTER_KEY is required when NODE_ENV=production');
  }
  const bodyLimit = env.BODY_LIMIT ?? '1mb';
  if (!/^\d+(b|kb|mb)$/i.test(bodyLimit)) problems.push(`BODY_LIMIT must look like 512kb or 1mb (got "${bodyLimit}")`);
  if (env.LOG_LEVEL !== undefined && !LOG_LEVELS.includes(env.LOG_LEVEL)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${env.LOG_LEVEL}")`);
  }
  const logLevel = logSettings(env).level;
  const host = env.HOST ?? '0.0.0.0';
  const configuredPublicUrl = url(env, 'PUBLIC_URL', ['http:', 'https:'], problems);
  const publicUrl = configuredPublicUrl ?? `http://localhost:${port}`;
  const connectorPackages = (env.SWITCHBOARD_CONNECTORS ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  const allowPrivateRaw = env.WEBHOOKS_ALLOW_PRIVATE;
  if (allowPrivateRaw !== undefined && allowPrivateRaw !== '' && !['true', 'false'].includes(allowPrivateRaw)) {
    problems.push(`WEBHOOKS_ALLOW_PRIVATE must be true or false (got "${allowPrivateRaw}")`);
  }
  const twilioApiBaseUrl = url(env, 'TWILIO_API_BASE_URL', ['http:', 'https:'], problems);
  if (twilioApiBaseUrl && env.NODE_ENV === 'production') {
    problems.push('TWILIO_API_BASE_URL sends Twilio credentials and messages to another host: it is for tests and benchmarks, refused when NODE_ENV=production');
  }
  const config: Config = {
    mode: databaseUrl ? 'production' : 'embedded',
    port,
    host,
    publicUrl: publicUrl.replace(/\/$/, ''),
    publicUrlConfigured: configuredPublicUrl !== undefined,
    internalUrl: url(env, 'INTERNAL_API_URL', ['http:', 'https:'], problems)?.replace(/\/$/, ''),
    dataDir: path.resolve(env.SWITCHBOARD_DATA_DIR ?? 'data'),
    databaseUrl,
    piiDatabaseUrl,
    redisUrl,
    redisPrefix: env.REDIS_PREFIX ?? 'sb',
    masterKey,
    bodyLimit,
    rateLimitPerMinute: int(env, 'RATE_LIMIT_PER_MINUTE', 1200, problems, 1, 10_000_000),
    relayPollMs: int(env, 'RELAY_POLL_MS', 1000, problems, 10, 600_000),
    sendConcurrency: int(env, 'SEND_CONCURRENCY', 16, problems, 1, 512),
    retentionIntervalMs: int(env, 'RETENTION_INTERVAL_MS', 3_600_000, problems, 1000, 7 * 86_400_000),
    logLevel,
    connectorPackages,
    metricsToken: env.METRICS_TOKEN || undefined,
    metricsPort: env.METRICS_PORT ? int(env, 'METRICS_PORT', 0, problems, 1, 65535) : undefined,
    ...(twilioApiBaseUrl ? { twilioApiBaseUrl } : {}),
    apiProcesses: int(env, 'API_PROCESSES', 1, problems, 1, 64),
    webhooksAllowPrivate: allowPrivateRaw === 'true' || ((allowPrivateRaw ?? '') === '' && !databaseUrl),
    webhookConcurrency: int(env, 'WEBHOOK_CONCURRENCY', 32, problems, 1, 1000),
  };
  // PGlite is one process's database: embedded mode serves HTTP from the process that holds it.
  if (config.apiProcesses > 1 && config.mode === 'embedded') problems.push('API_PROCESSES above 1 needs production mode (DATABASE_URL and REDIS_URL)');
  if (problems.length) {
    throw new AppError('config_invalid', `Invalid configuration:\n  - ${problems.join('\n  - ')}`, {
      details: problems.map((reason) => ({ reason })),
    });
  }
  return config;
}
