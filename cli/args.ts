import { parseArgs } from 'node:util';
import { notFound } from '../core/errors.ts';

/** A mistake in how the command was called: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  constructor(message: string, readonly command: string) {
    super(message);
  }
}

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

type Options = Record<string, { type: 'string' | 'boolean' }>;

/**
 * node:util parseArgs, strict, plus --help on every command. Returns null when help was asked
 * for (the caller prints it and exits 0).
 */
export function parse(command: string, args: string[], options: Options, maxPositionals = 0): Parsed | null {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message, command);
  }
  if (parsed.values.help) return null;
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`Unexpected argument "${parsed.positionals[maxPositionals]}".`, command);
  }
  return parsed as Parsed;
}

export function requireString(p: Parsed, name: string, command: string): string {
  const v = p.values[name];
  if (typeof v !== 'string' || !v.trim()) throw new UsageError(`--${name} is required.`, command);
  return v.trim();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Org ids are UUIDs; anything else names no org. */
export function orgIdArg(value: string): string {
  if (!UUID.test(value)) throw notFound('org');
  return value.toLowerCase();
}

/** Result output: one JSON line with --json, else the human text. */
export function output(json: boolean, data: unknown, human: string): void {
  process.stdout.write(json ? JSON.stringify(data) + '\n' : human.endsWith('\n') ? human : human + '\n');
}
