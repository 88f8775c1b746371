import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextFunction, Request, Response } from 'express';

/**
 * Serves the built widget and UI kit (npm run build:widget → dist/widget, dist/kit) from the
 * API process, on paths the dashboard's SPA fallback leaves alone:
 *   /widget.js                     the snippet's script: cached briefly, so a release reaches pages within minutes
 *   /widget/<version>/widget.js    the same bytes under their content hash: cached for a year (immutable), for SRI
 *   /widget/widget.mjs             the ES module build (defines <switchboard-chat>, exports init/identify)
 *   /widget/manifest.json          {version, path, integrity, bytes, gzipBytes}: what the dashboard's snippet shows
 *   /kit/…                         the UI kit's example page and its assets
 * Scripts are loadable from any origin (CORS *, CORP cross-origin) because they are public and
 * an SRI check on a cross-origin script needs CORS.
 */
const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist');
const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
};
const YEAR = 'public, max-age=31536000, immutable';
// The kit page talks to this same API (and its WebSocket) and runs only its own scripts.
const KIT_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export interface WidgetManifest {
  version: string;
  path: string;
  integrity: string;
  bytes: number;
  gzipBytes: number;
}

export function readWidgetManifest(dist = DIST): WidgetManifest | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dist, 'widget/manifest.json'), 'utf8'));
  } catch {
    return null;
  }
}

function send(res: Response, file: string, cache: string, extra: Record<string, string> = {}): boolean {
  let body: Buffer;
  try {
    body = fs.readFileSync(file);
  } catch {
    return false;
  }
  res.setHeader('Content-Type', TYPES[path.extname(file)] ?? 'application/octet-stream');
  res.setHeader('Cache-Control', cache);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
  res.status(200).end(body);
  return true;
}

const publicScript = { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' };

/** Inside dir, or null (no ../ escapes, no dotfiles). */
function inside(dir: string, rel: string): string | null {
  if (rel.split('/').some((seg) => seg.startsWith('.'))) return null;
  const file = path.resolve(dir, '.' + path.posix.normalize('/' + rel));
  return file.startsWith(dir + path.sep) ? file : null;
}

export function widgetAssets(dist = DIST) {
  const notBuilt = (res: Response) =>
    res.status(404).type('text/plain').send('The widget is not built: run `npm run build:widget` (npm install runs it).');
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const p = req.path;
    if (p === '/widget.js') {
      if (!send(res, path.join(dist, 'widget/widget.js'), 'public, max-age=300', publicScript)) notBuilt(res);
      return;
    }
    if (p === '/widget/manifest.json') {
      if (!send(res, path.join(dist, 'widget/manifest.json'), 'no-cache', publicScript)) notBuilt(res);
      return;
    }
    if (p === '/widget/widget.mjs') {
      if (!send(res, path.join(dist, 'widget/widget.mjs'), 'public, max-age=300', publicScript)) notBuilt(res);
      return;
    }
    const versioned = /^\/widget\/([a-f0-9]{8,64})\/widget\.(m?js)$/.exec(p);
    if (versioned) {
      const m = readWidgetManifest(dist);
      // Only the current build is served under its hash: an old hash must not get new bytes cached for a year.
      if (!m || m.version !== versioned[1] || !send(res, path.join(dist, `widget/widget.${versioned[2]}`), YEAR, publicScript)) {
        res.status(404).type('text/plain').send('No such widget version.');
      }
      return;
    }
    if (p === '/kit') return res.redirect(301, '/kit/');
    if (p.startsWith('/kit/')) {
      const rel = p.slice('/kit/'.length) || 'index.html';
      const file = inside(path.join(dist, 'kit'), rel);
      const html = rel.endsWith('.html');
      const cache = rel.startsWith('assets/') ? YEAR : 'no-cache';
      if (!file || !send(res, file, cache, html ? { 'Content-Security-Policy': KIT_CSP, 'Referrer-Policy': 'no-referrer' } : publicScript)) {
        if (!fs.existsSync(path.join(dist, 'kit'))) notBuilt(res);
        else res.status(404).type('text/plain').send('Not found.');
      }
      return;
    }
    next();
  };
}
