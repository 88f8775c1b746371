import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type NextFunction, type Request, type Response } from 'express';

/**
 * The admin dashboard (dashboard/dist, built by `npm install` or `npm run build:dashboard`) at `/`.
 * Hashed assets are cached for a year; every other GET that asks for HTML gets index.html (the SPA
 * routes client-side). Paths other UIs and the API own are never answered here: /v1 (the API,
 * whose 404s stay JSON), /docs, /widget…, /kit…, /internal.
 *
 * The pages run under a strict Content-Security-Policy: scripts and styles from this origin only
 * (no inline script, no eval), same-origin fetch and WebSocket, nothing framed.
 */
export const DASHBOARD_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dashboard/dist');
const RESERVED = /^\/(v1|docs|widget|kit|internal)(\/|$|[.-])/;

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  // https: images: a white-label logo (branding.logoUrl) lives on the platform's or org's own site.
  // Nothing an outsider writes is rendered as markup, so this admits no image the org did not choose.
  "img-src 'self' data: https:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

function secure(res: Response) {
  res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
}

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Switchboard</title>
<p>The dashboard is not built. Run <code>npm run build:dashboard</code> (or <code>npm install</code>) and reload.
The API is at <a href="/v1/health">/v1</a>, its reference at <a href="/docs">/docs</a>.</p></html>`;

export function dashboardRouter(dist = DASHBOARD_DIST) {
  const router = express.Router();
  const assets = express.static(path.join(dist, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: false });
  router.use('/assets', (req: Request, res: Response, next: NextFunction) => {
    secure(res);
    assets(req, res, next);
  });
  // A plain middleware, not router.get(): a route would make the Router answer every OPTIONS
  // ("Allow: GET, HEAD") itself, swallowing the widget's CORS preflight on /v1/widget/….
  router.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (RESERVED.test(req.path) || path.extname(req.path) || !req.accepts('html')) return next();
    secure(res);
    res.setHeader('Cache-Control', 'no-cache');
    const index = path.join(dist, 'index.html');
    if (!fs.existsSync(index)) return void res.status(503).type('html').send(NOT_BUILT);
    res.sendFile(index);
  });
  return router;
}
