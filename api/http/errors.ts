import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { isDatabaseUnavailable } from '../../core/db/outage.ts';

const log = createLogger('api');

/** Maps anything thrown to `{ error: { code, message, details } }` with the right status. */
export function toAppError(err: any): AppError {
  if (err instanceof AppError) return err;
  // body-parser errors carry a `type`.
  if (err?.type === 'entity.too.large') return new AppError('payload_too_large', `Request body exceeds the ${err.limit}-byte limit.`);
  if (err?.type === 'entity.parse.failed') return new AppError('invalid_json', 'Request body is not valid JSON.');
  if (err?.type === 'encoding.unsupported' || err?.type === 'charset.unsupported') {
    return new AppError('unsupported_media_type', 'Unsupported body encoding or charset.');
  }
  if (isDatabaseUnavailable(err)) return new AppError('service_unavailable', 'The database is unavailable right now; retry shortly.', { retryAfter: 5 });
  return new AppError('internal', 'Something went wrong on our side. It has been logged.');
}

export function errorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  const e = toAppError(err);
  if (e.status >= 500) log.error({ err: (err as Error)?.message, stack: (err as Error)?.stack, path: req.path }, 'request failed');
  if (e.retryAfter) res.setHeader('Retry-After', String(e.retryAfter));
  res.status(e.status).json(e.toJSON());
}
