/**
 * One error type for the whole engine. `code` is the stable, documented identifier a client
 * switches on; `status` is the HTTP status the API answers with; `details` carries field paths
 * and reasons. Anything that is not an AppError is an internal error and is never shown verbatim.
 */
export type ErrorCode =
  | 'validation_failed'
  | 'invalid_json'
  | 'invalid_cursor'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'legal_hold'
  | 'idempotency_key_reused'
  | 'idempotency_in_progress'
  | 'payload_too_large'
  | 'headers_too_large'
  | 'unsupported_media_type'
  | 'unprocessable'
  | 'authorization_denied'
  | 'window_closed'
  | 'recipient_opted_out'
  | 'quiet_hours'
  | 'unregistered_sender'
  | 'connector_not_baa_eligible'
  | 'connection_not_baa_covered'
  | 'org_suspended'
  | 'monthly_limit_reached'
  | 'connector_unavailable'
  | 'service_unavailable'
  | 'not_supported'
  | 'provider_error'
  | 'template_not_approved'
  | 'template_variables_mismatch'
  | 'invalid_handle'
  | 'rate_limited'
  | 'master_key_mismatch'
  | 'config_invalid'
  | 'internal';

const STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  invalid_json: 400,
  invalid_cursor: 400,
  invalid_handle: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  legal_hold: 409,
  idempotency_key_reused: 409,
  idempotency_in_progress: 409,
  payload_too_large: 413,
  headers_too_large: 431,
  unsupported_media_type: 415,
  unprocessable: 422,
  authorization_denied: 422,
  window_closed: 422,
  recipient_opted_out: 422,
  quiet_hours: 422,
  unregistered_sender: 422,
  connector_not_baa_eligible: 422,
  connection_not_baa_covered: 422,
  org_suspended: 401,
  monthly_limit_reached: 422,
  not_supported: 422,
  template_not_approved: 422,
  template_variables_mismatch: 422,
  provider_error: 502,
  rate_limited: 429,
  master_key_mismatch: 500,
  config_invalid: 500,
  internal: 500,
  connector_unavailable: 503,
  service_unavailable: 503,
};

export interface ErrorDetail {
  /** JSON pointer-ish path of the offending field, e.g. "/handles/0/value". */
  field?: string;
  reason: string;
  [k: string]: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: ErrorDetail[] | Record<string, unknown>;
  /** Seconds a client should wait before retrying (429, some 409s). */
  readonly retryAfter?: number;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { details?: ErrorDetail[] | Record<string, unknown>; status?: number; retryAfter?: number } = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = opts.status ?? STATUS[code];
    this.details = opts.details;
    this.retryAfter = opts.retryAfter;
  }

  toJSON() {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

export const notFound = (what: string) => new AppError('not_found', `No such ${what}.`);

export const invalid = (field: string, reason: string) =>
  new AppError('validation_failed', `${field}: ${reason}`, { details: [{ field, reason }] });

/** A pagination or feed cursor that this API did not hand out (or that no longer fits its columns). */
export const invalidCursor = (field: string) =>
  new AppError('invalid_cursor', `${field}: is not a cursor returned by this API`, { details: [{ field, reason: 'is not a cursor returned by this API' }] });
