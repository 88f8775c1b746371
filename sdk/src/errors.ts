/** Every failure the SDK reports: an API error (status, code, details) or a transport one (status 0). */
export class SwitchboardError extends Error {
  override readonly name = 'SwitchboardError';
  constructor(
    message: string,
    /** HTTP status; 0 for a network error or timeout. */
    readonly status: number,
    /** The API's error code (`validation_failed`, `recipient_opted_out`…), or `network_error` / `timeout`. */
    readonly code: string,
    readonly details?: unknown,
    /** The server's request id, when it sends one (X-Request-Id). */
    readonly requestId?: string,
  ) {
    super(message);
  }
}
