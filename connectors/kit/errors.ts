import { FAILURE_REASONS, type FailureReason } from './types.ts';

/**
 * Errors cross package boundaries: a third-party connector bundles its own copy of the kit, so
 * `instanceof` against the engine's copy would fail. Each class carries a global symbol brand and
 * a static `is()` that checks it instead.
 */
const CONNECTOR_ERROR = Symbol.for('switchboard.kit.ConnectorError');

export type ConnectorErrorCode = FailureReason;

/** Codes worth retrying by default: the provider may well accept the same request later. */
const RETRYABLE: ReadonlySet<ConnectorErrorCode> = new Set(['rate_limited', 'vendor_unavailable', 'timeout']);

export const isRetryableCode = (code: ConnectorErrorCode): boolean => RETRYABLE.has(code);

export interface ConnectorErrorOptions {
  /** Overrides the default derived from the code. */
  retryable?: boolean;
  /** The provider's own error code (e.g. Twilio "21610"), recorded on the message. */
  providerCode?: string;
  retryAfterMs?: number;
  /** HTTP status of the provider's answer, when there was one. */
  httpStatus?: number;
  cause?: unknown;
}

export class ConnectorError extends Error {
  readonly [CONNECTOR_ERROR] = true;
  readonly code: ConnectorErrorCode;
  readonly retryable: boolean;
  readonly providerCode?: string;
  readonly retryAfterMs?: number;
  readonly httpStatus?: number;

  constructor(code: ConnectorErrorCode, message: string, opts: ConnectorErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ConnectorError';
    this.code = (FAILURE_REASONS as readonly string[]).includes(code) ? code : 'unknown';
    this.retryable = opts.retryable ?? isRetryableCode(this.code);
    if (opts.providerCode !== undefined) this.providerCode = opts.providerCode;
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
    if (opts.httpStatus !== undefined) this.httpStatus = opts.httpStatus;
  }

  static is(err: unknown): err is ConnectorError {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[CONNECTOR_ERROR] === true;
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      providerCode: this.providerCode,
      retryAfterMs: this.retryAfterMs,
      httpStatus: this.httpStatus,
    };
  }
}

/** Errors that carry a list of problems: all of them are reported at once, never the first only. */
abstract class ProblemsError extends Error {
  readonly problems: string[];
  constructor(name: string, headline: string, problems: string[]) {
    super(`${headline}:\n  - ${problems.join('\n  - ')}`);
    this.name = name;
    this.problems = problems;
  }
}

const DEFINITION_ERROR = Symbol.for('switchboard.kit.ConnectorDefinitionError');

/** A connector definition (or its manifest) is invalid; nothing of it was loaded. */
export class ConnectorDefinitionError extends ProblemsError {
  readonly [DEFINITION_ERROR] = true;
  readonly connector?: string;
  constructor(connector: string | undefined, problems: string[], source?: string) {
    const what = source ? `package "${source}"` : `connector "${connector ?? '?'}"`;
    super('ConnectorDefinitionError', `Invalid ${what} (${problems.length} problem${problems.length === 1 ? '' : 's'})`, problems);
    if (connector !== undefined) this.connector = connector;
  }
  static is(err: unknown): err is ConnectorDefinitionError {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[DEFINITION_ERROR] === true;
  }
}

const MAPPING_ERROR = Symbol.for('switchboard.kit.MappingError');

/**
 * A payload could not be mapped (no rule matches, a required field is missing, an unknown
 * provider status…). The ingress answers 400 and keeps the archived payload for a replay.
 */
export class MappingError extends ProblemsError {
  readonly [MAPPING_ERROR] = true;
  constructor(problems: string[]) {
    super('MappingError', 'Payload could not be mapped', problems);
  }
  static is(err: unknown): err is MappingError {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[MAPPING_ERROR] === true;
  }
}

type HeaderBag = Headers | Record<string, unknown> | undefined | null;

function header(headers: HeaderBag, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== want) continue;
    const first = Array.isArray(v) ? v[0] : v;
    return first === undefined || first === null ? undefined : String(first);
  }
  return undefined;
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | undefined | null, now = Date.now()): number | undefined {
  if (value === undefined || value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (!/[a-z]/i.test(v)) return undefined; // "1.5", "-3": neither form
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Classifies a provider's HTTP error answer when the connector has nothing more specific. */
export function classifyHttpError(
  status: number,
  headers?: HeaderBag,
  opts: { message?: string; providerCode?: string; now?: number } = {},
): ConnectorError {
  const base = { httpStatus: status, ...(opts.providerCode === undefined ? {} : { providerCode: opts.providerCode }) };
  const msg = (fallback: string) => opts.message ?? `${fallback} (HTTP ${status})`;
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'), opts.now);
    return new ConnectorError('rate_limited', msg('Rate limited by the provider'), {
      ...base,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (status === 408) return new ConnectorError('timeout', msg('Provider timed out'), base);
  if (status >= 500) {
    const retryAfterMs = parseRetryAfter(header(headers, 'retry-after'), opts.now);
    return new ConnectorError('vendor_unavailable', msg('Provider unavailable'), {
      ...base,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  }
  if (status === 401 || status === 403) return new ConnectorError('auth_failed', msg('Provider refused the credentials'), base);
  if (status >= 400) return new ConnectorError('invalid_request', msg('Provider rejected the request'), base);
  return new ConnectorError('unknown', msg('Unexpected provider answer'), base);
}
