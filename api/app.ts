import express, { type NextFunction, type Request, type Response } from 'express';
import type { Engine } from '../core/engine.ts';
import { authenticate, type Principal } from '../core/orgs.ts';
import { AppError } from '../core/errors.ts';
import { createRateLimiter, type RateLimiter } from '../core/ratelimit.ts';
import { errorHandler } from './http/errors.ts';
import { guardInput, guardQueryKeys } from './http/input-guard.ts';
import { authenticateSession, SESSION_PREFIX } from '../core/users/sessions.ts';
import { sessionCookie } from './routes/users.ts';
import { mountRoutes, type RouteSpec } from './http/route.ts';
import { allRoutes } from './routes/index.ts';
import { receiveRouter } from './routes/receive.ts';
import { widgetCors } from './routes/widget.ts';
import { authenticateEmbedToken, EMBED_PREFIX } from './routes/embed-tokens.ts';
import { embedCors, embedGuard } from './http/embed-guard.ts';
import { authenticatePlatform, PLATFORM_KEY_PREFIX } from '../core/platforms/platforms.ts';
import { ORG_HEADER, scopeToOrg } from './http/org-header.ts';
import { httpMetrics, metricsEndpoint } from './metrics.ts';

export interface ApiOptions {
  /** Extra routes (e.g. the local admin endpoint of the embedded server). */
  extraRoutes?: RouteSpec[];
  rateLimiter?: RateLimiter;
}

const BEARER = /^Bearer\s+(\S+)$/i;

export function createApp(engine: Engine, opts: ApiOptions = {}) {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'extended');
  app.set('trust proxy', 'loopback');
  const limiter = opts.rateLimiter ?? createRateLimiter(engine.config.redisUrl, engine.config.redisPrefix);
  app.use(httpMetrics);
  app.get('/metrics', metricsEndpoint(engine));
  // Provider webhooks: raw bytes (signatures), any content type, no API key. Before everything else.
  app.use(receiveRouter(engine));
  // Widget routes share the limiter (per-session limits, across replicas with Redis) and answer their own CORS preflight.
  app.locals.rateLimiter = limiter;
  app.use(widgetCors);
  // So do the routes an embed token reaches (the UI kit on an app's own origin).
  app.use(embedCors);

  // HSTS only when we are reached over https (a browser ignores it on http, and localhost stays usable).
  const hsts = engine.config.publicUrlConfigured && engine.config.publicUrl.startsWith('https://');
  app.use((req: Request, res: Response, next: NextFunction) => {
    // The API answers JSON (and CSV): nothing in a response may load, run or be framed.
    res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    res.setHeader('X-Frame-Options', 'DENY');
    if (hsts) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    const length = Number(req.get('content-length') ?? 0);
    const chunked = !!req.get('transfer-encoding');
    if (['POST', 'PUT', 'PATCH'].includes(req.method) && (length > 0 || chunked) && !req.is('application/json')) {
      return next(new AppError('unsupported_media_type', 'Send request bodies as application/json.'));
    }
    next();
  });
  app.use(express.json({ limit: engine.config.bodyLimit }));
  app.use((req: Request, _res: Response, next: NextFunction) => {
    try {
      guardInput(req.body);
      guardInput(req.query, '/query');
      guardQueryKeys(req.originalUrl);
      next();
    } catch (err) {
      next(err);
    }
  });

  // Authentication is resolved once here; each route then demands its scope.
  app.use(async (req: Request, res: Response, next: NextFunction) => {
    try {
      const header = req.get('authorization');
      // Dashboard sessions: the same token as a bearer or in the httpOnly cookie.
      const cookie = header ? undefined : sessionCookie(req.get('cookie'));
      if (header || cookie) {
        const secret = cookie ?? BEARER.exec(header!)?.[1];
        const principal = !secret
          ? null
          : secret.startsWith(SESSION_PREFIX)
            ? await authenticateSession(engine.db, secret)
            : secret.startsWith(EMBED_PREFIX)
              ? await authenticateEmbedToken(engine, secret)
              : secret.startsWith(PLATFORM_KEY_PREFIX)
                ? await authenticatePlatform(engine.db, secret)
                : await authenticate(engine.db, secret);
        if (!principal) {
          const why = cookie ? 'The session has expired or was ended; sign in again.' : secret?.startsWith(EMBED_PREFIX) ? 'The embed token is invalid or has expired; ask your server for a new one.' : 'Invalid API key.';
          throw new AppError('unauthorized', why);
        }
        // Suspended orgs are refused here; a platform key may name one of its orgs (Switchboard-Org).
        res.locals.auth = await scopeToOrg(engine, principal, req.get(ORG_HEADER));
        if ('embed' in principal) res.locals.embed = principal.embed;
      }
      const who = (res.locals.auth as Principal | undefined)?.keyId ?? `ip:${req.ip}`;
      const wait = await limiter.hit(who, engine.config.rateLimitPerMinute);
      if (wait > 0) throw new AppError('rate_limited', 'Too many requests. Slow down and retry after the given delay.', { retryAfter: wait });
      next();
    } catch (err) {
      next(err);
    }
  });

  // Embed tokens (the UI kit in an app's browser) reach an allowlist of routes, filtered.
  app.use(embedGuard(engine));
  const router = express.Router();
  mountRoutes(router, engine, [...allRoutes(), ...(opts.extraRoutes ?? [])]);
  app.use(router);
  app.use((req: Request, _res: Response, next: NextFunction) => next(new AppError('not_found', `No route ${req.method} ${req.path}.`)));
  app.use(errorHandler);
  return Object.assign(app, { close: () => limiter.close() });
}
