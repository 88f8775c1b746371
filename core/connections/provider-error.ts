import { ConnectorError } from '../../connectors/kit/index.ts';
import { AppError } from '../errors.ts';

/**
 * A provider call's failure as the API answers it (the one place a ConnectorError becomes an
 * AppError: provisioning, the OAuth token exchange, the rules' invoke action): a request the
 * provider refused (a number no longer available, an invalid field) is 422 unprocessable, a rate
 * limit 429 with Retry-After, refused credentials and outages 502 provider_error. The provider's
 * own code rides along in details; its raw answer never does.
 */
export function providerError(name: string, err: unknown): AppError {
  if (!ConnectorError.is(err)) return err instanceof AppError ? err : new AppError('provider_error', `${name} call failed.`);
  const details = [{ reason: err.code, ...(err.providerCode ? { providerCode: err.providerCode } : {}) }];
  if (err.code === 'rate_limited') {
    return new AppError('rate_limited', `${name} is rate limiting: ${err.message}`, { details, retryAfter: Math.ceil((err.retryAfterMs ?? 1000) / 1000) });
  }
  if (err.code === 'invalid_request' || err.code === 'invalid_recipient') return new AppError('unprocessable', `${name} refused the request: ${err.message}`, { details });
  return new AppError('provider_error', `${name}: ${err.message}`, { details });
}
