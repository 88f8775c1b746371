import express, { type Request, type Response, type Router } from 'express';
import type { Config } from '../../core/config.ts';
import type { Engine } from '../../core/engine.ts';
import { AppError, notFound } from '../../core/errors.ts';
import { receiveWebhook } from '../../core/connections/ingress.ts';
import { registerOperation } from '../http/openapi.ts';

/**
 * The platform's /receive: provider webhooks for one connection. Mounted before the JSON body
 * parser, the API-key middleware and the per-client rate limit: providers sign the exact bytes
 * they send (any content type), carry no API key, and come in bursts from a few addresses.
 */
export const RECEIVE_BODY_LIMIT = '30mb';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The URL the provider signed. With PUBLIC_URL configured it is that origin (and path prefix) plus
 * the path as received; otherwise the URL this request was made to. X-Forwarded-Proto / -Host are
 * honoured only from trusted proxies (express "trust proxy").
 */
export function signatureUrl(req: Request, config: Pick<Config, 'publicUrl' | 'publicUrlConfigured'>): string {
  if (config.publicUrlConfigured) return config.publicUrl + req.originalUrl;
  return `${req.protocol}://${req.host}${req.originalUrl}`;
}

// Documented in the OpenAPI document like the JSON routes, though served outside them.
const documented = (method: 'get' | 'post', summary: string) =>
  registerOperation({ method, path: '/v1/receive/:connectionId', summary, tag: 'Connections', scope: null, handler: async () => undefined });

export function receiveRouter(engine: Engine): Router {
  documented('post', "Provider webhooks for one connection: raw body (any content type), checked with the connector's signature; answered as the provider expects once committed");
  documented('get', "Provider verification handshakes (e.g. Meta's hub.challenge), when the connector defines one");
  const router = express.Router();
  router.all('/v1/receive/:connectionId', express.raw({ type: () => true, limit: RECEIVE_BODY_LIMIT }), async (req: Request, res: Response) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    const id = req.params.connectionId as string;
    if (!UUID.test(id)) throw notFound('connection');
    if (!['GET', 'HEAD', 'POST'].includes(req.method)) {
      res.setHeader('Allow', 'GET, HEAD, POST');
      throw new AppError('not_found', `No route ${req.method} ${req.path}.`, { status: 405 });
    }
    const answer = await receiveWebhook(engine, id.toLowerCase(), {
      method: req.method,
      url: signatureUrl(req, engine.config),
      headers: req.headers,
      body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
    });
    for (const [k, v] of Object.entries(answer.headers ?? {})) res.setHeader(k, v);
    res.status(answer.status).send(answer.body ?? '');
  });
  return router;
}
