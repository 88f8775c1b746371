/**
 * How hard the send job tries. Retryable connector errors (rate limits, provider outages,
 * timeouts) are retried with exponential backoff and jitter, or after the provider's Retry-After;
 * on the last attempt the message is failed with the provider's code. Permanent errors fail at once.
 */
export const SEND_ATTEMPTS = 6;

/** Sandbox status callbacks, after the simulated send: (status, delay after the send). */
export const SANDBOX_CALLBACKS = [
  { status: 'sent', delayMs: 150 },
  { status: 'delivered', delayMs: 400 },
] as const;
