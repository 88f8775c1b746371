import type { NextFunction, Request, RequestHandler, Response } from 'express';
import crypto from 'node:crypto';
import type { Engine } from '../core/engine.ts';
import { httpDuration, registry, statusClass, watchQueueDepth } from '../core/metrics.ts';

/** Request latency by route template (`/v1/conversations/:id`), never the raw path (ids would explode the series). */
export function httpMetrics(req: Request, res: Response, next: NextFunction): void {
  const end = httpDuration.startTimer();
  res.on('finish', () => {
    const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : 'unmatched';
    end({ method: req.method, route, status_class: statusClass(res.statusCode) });
  });
  next();
}

/**
 * GET /metrics in Prometheus' text format. Open unless METRICS_TOKEN is set (then a bearer token):
 * put it behind the ingress or set the token when the API port is public. Queue depth is read
 * from the queue adapter at scrape time.
 */
export function metricsEndpoint(engine: Engine): RequestHandler {
  watchQueueDepth(() => engine.queue.depths());
  return async (req, res) => {
    const token = engine.config.metricsToken;
    if (token) {
      const given = Buffer.from(/^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1] ?? '');
      const want = Buffer.from(token);
      if (given.length !== want.length || !crypto.timingSafeEqual(given, want)) {
        res.status(401).json({ error: { code: 'unauthorized', message: 'GET /metrics needs "Authorization: Bearer <METRICS_TOKEN>".' } });
        return;
      }
    }
    res.setHeader('Content-Type', registry.contentType);
    res.end(await registry.metrics());
  };
}
