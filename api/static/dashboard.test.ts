import { test } from 'vitest';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { dashboardRouter } from './dashboard.ts';

/**
 * The SPA fallback in front of the API (api/server.ts mounts it before the app): it answers GETs
 * for HTML and lets everything else through — in particular a CORS preflight (OPTIONS) for the
 * widget's /v1/widget/… paths, which the API's own handler must answer.
 */
test('the dashboard router serves HTML GETs and passes OPTIONS and /v1 through to the API', async () => {
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-dash-'));
  fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Dashboard</title>');
  const root = express();
  root.use(dashboardRouter(dist));
  root.use((req, res) => void res.status(299).json({ reached: 'api', method: req.method, path: req.path }));
  const server = http.createServer(root);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const pre = await fetch(`${base}/v1/widget/sessions`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST' } });
    assert.equal(pre.status, 299, 'the preflight reaches the API');
    assert.deepEqual(await pre.json(), { reached: 'api', method: 'OPTIONS', path: '/v1/widget/sessions' });
    const page = await fetch(`${base}/inbox`, { headers: { accept: 'text/html' } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<title>Dashboard/);
    const apiGet = await fetch(`${base}/v1/health`, { headers: { accept: 'text/html' } });
    assert.equal(apiGet.status, 299, '/v1 is never the SPA');
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    fs.rmSync(dist, { recursive: true, force: true });
  }
});
