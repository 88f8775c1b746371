import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Engine } from '../core/engine.ts';
import { createApp, type ApiOptions } from './app.ts';
import { docsHandler } from './docs.ts';
import { answerClientErrors } from './http/client-errors.ts';
import { dashboardRouter } from './static/dashboard.ts';
import { createAdminApp } from './routes/admin.ts';
import { attachRealtime } from './realtime/server.ts';
import { widgetAssets } from './static/widget.ts';

/**
 * The HTTP composition of a running API process: the REST app, the /docs reference page, the
 * WebSocket /v1/realtime, and (embedded mode) the local admin endpoint on its own loopback-only
 * listener.
 */
export interface RunningServer {
  server: http.Server;
  port: number;
  /** Stops accepting, lets in-flight requests finish (bounded), closes the app's resources. */
  close(): Promise<void>;
}

const DRAIN_MS = 5_000;

async function listen(server: http.Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

async function stop(server: http.Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
  await closed;
  clearTimeout(timer);
}

export async function startServer(engine: Engine, opts: { host: string; port: number; api?: ApiOptions }): Promise<RunningServer> {
  const app = createApp(engine, opts.api);
  const root = express();
  root.disable('x-powered-by');
  // HTML, so not a /v1 JSON route: rendered from the OpenAPI document the routes build.
  root.get('/docs', docsHandler(engine));
  // The chat widget and the UI kit's example page: static files, outside /v1.
  root.use(widgetAssets());
  // The dashboard SPA at / (never /v1, /docs, /widget*, /kit*).
  root.use(dashboardRouter());
  root.use(app);
  const server = http.createServer(root);
  answerClientErrors(server);
  const closeRealtime = attachRealtime(server, engine);
  const port = await listen(server, opts.port, opts.host);
  return {
    server,
    port,
    async close() {
      // WebSocket clients first (1001 "going away"): an open socket would hold server.close.
      await closeRealtime();
      await stop(server);
      await app.close();
    },
  };
}

export interface AdminServer {
  url: string;
  token: string;
  close(): Promise<void>;
}

/** The CLI's way into an embedded server: 127.0.0.1 only, random port, random token. */
export async function startAdminServer(engine: Engine): Promise<AdminServer> {
  const token = crypto.randomBytes(32).toString('base64url');
  const server = http.createServer(createAdminApp(engine, token));
  const port = await listen(server, 0, '127.0.0.1');
  return { url: `http://127.0.0.1:${port}`, token, close: () => stop(server) };
}
