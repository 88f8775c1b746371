import { destination as pinoDestination, pino, type Logger } from 'pino';
import { logSettings } from './config.ts';

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
  if (root) return root;
  const { level, stderr } = logSettings();
  // One-shot CLI commands print their result on stdout (e.g. one JSON line); their logs go to stderr.
  const destination = stderr ? pinoDestination({ fd: 2, sync: true }) : undefined;
  root = pino(
    {
      level,
      redact: { paths: REDACT, censor: '[redacted]' },
      base: undefined,
    },
    destination,
  );
  return root;
}

export function createLogger(module: string): Logger {
  return rootLogger().child({ module });
}

export type { Logger };
