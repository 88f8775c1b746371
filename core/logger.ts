import { pino, type Logger } from 'pino';

/**
 * Structured logs, one child per module. Message bodies, secrets and PII never go in a log line:
 * callers log ids only, and these paths are redacted as a second line of defence.
 */
const REDACT = [
  'body', '*.body', 'subject', '*.subject', 'name', '*.name', 'value', '*.value', 'handles',
  '*.handles', 'apiKey', '*.apiKey', 'secret', '*.secret', 'secrets', '*.secrets', 'token',
  '*.token', 'authorization', '*.authorization', 'req.headers.authorization', 'masterKey',
];

let root: Logger | undefined;

export function rootLogger(): Logger {
  root ??= pino({
    level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
    redact: { paths: REDACT, censor: '[redacted]' },
    base: undefined,
  });
  return root;
}

export function createLogger(module: string): Logger {
  return rootLogger().child({ module });
}

export type { Logger };
