import assert from 'node:assert/strict';
import path from 'node:path';
import { test, beforeAll, afterAll } from 'vitest';
import type { Browser } from 'playwright-core';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { startCli, type Server } from '../../cli/testing.ts';
import { browserAvailable, launchBrowser, screenshot } from '../browser.ts';
import { waitFor } from '../wait.ts';
import { assertClean, signIn, startDashboardServer, type DashboardServer } from './support.ts';

/**
 * Issue 11's "10,000 conversations scroll smoothly": an org holding 10,000 conversations (seeded
 * with one bulk SQL insert — through PostgreSQL in production mode, through the stopped server's
 * PGlite data directory in embedded mode), the inbox opened in a real browser and scrolled to the
 * bottom through every cursor page. The list stays virtualized (a bounded number of rows in the
 * DOM however many are loaded) and the oldest conversation is reachable.
 */
const skip = !browserAvailable() && 'Chromium is not installed (apt-get install chromium)';
const TOTAL = 10_000;
let browser: Browser;
let s: DashboardServer;
let server: Server;

/** Each conversation tagged with its rank (seed-00001 = newest … seed-10000 = oldest), so a row says which one it is. */
const seedSql = (orgId: string) => `
  INSERT INTO conversations (id, org_id, channel, status, metadata, tags, last_message_at, created_at)
  SELECT gen_random_uuid(), '${orgId}', 'sms', 'open', '{}'::jsonb, ARRAY['seed-' || lpad(i::text, 5, '0')],
         now() - make_interval(mins => i), now() - make_interval(mins => i)
  FROM generate_series(1, ${TOTAL}) AS i`;

beforeAll(async () => {
  if (skip) return;
  [browser, s] = await Promise.all([launchBrowser(), startDashboardServer()]);
  if (s.env.mode === 'production') {
    const client = new pg.Client({ connectionString: s.env.env.DATABASE_URL });
    await client.connect();
    try {
      await client.query(seedSql(s.orgId));
    } finally {
      await client.end();
    }
    server = s.server;
  } else {
    // PGlite has one session, held by the server: stop it, insert into its data directory, start it again.
    await s.server.stop();
    const db = await PGlite.create(path.join(s.env.dataDir, 'pgdata'));
    try {
      await db.exec(seedSql(s.orgId));
    } finally {
      await db.close();
    }
    server = await startCli(s.env.env, 300_000);
  }
}, 600_000);
afterAll(async () => {
  await browser?.close();
  if (server && server !== s?.server) await server.stop();
  await s?.close();
});

test.skipIf(skip)('10,000 conversations: the inbox scrolls to the oldest through cursor pages with a bounded number of rows in the DOM', async () => {
  const { page, problems } = await signIn(browser, server.url, s.owner.email, s.owner.password);
  // Long tasks (> 50 ms on the main thread) while scrolling, recorded for the report.
  await page.evaluate(`(() => { window.__long = []; new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__long.push(e.duration))).observe({ type: 'longtask', buffered: false }); })()`);
  const list = page.getByRole('region', { name: 'Conversations' });
  await list.getByRole('link', { name: /#seed-00001/ }).waitFor();
  const state = async () =>
    (await page.evaluate(`(() => {
      const el = document.querySelector('.inbox-scroll');
      return { dom: document.querySelectorAll('.inbox-rows > li').length, height: el.querySelector('.inbox-rows').offsetHeight };
    })()`)) as { dom: number; height: number };
  const started = Date.now();
  let maxDom = 0;
  let pages = 1;
  for (let stalls = 0; stalls < 20; ) {
    const before = await state();
    maxDom = Math.max(maxDom, before.dom);
    await page.evaluate(`(() => { const el = document.querySelector('.inbox-scroll'); el.scrollTop = el.scrollHeight; })()`);
    // The next page grows the list's height; the last page leaves it as it is.
    const grew = await waitFor('the next page', async () => ((await state()).height > before.height ? true : null), 1_500, 25).catch(() => false);
    if (!grew) {
      if (await list.getByRole('link', { name: /#seed-10000/ }).isVisible()) break;
      stalls++;
      continue;
    }
    pages++;
    assert.ok(pages <= TOTAL / 50 + 2, 'more pages than the conversations fill');
  }
  const seconds = (Date.now() - started) / 1000;
  const end = await state();
  maxDom = Math.max(maxDom, end.dom);
  const rowHeight = 86;
  assert.equal(end.height, TOTAL * rowHeight, 'every conversation is in the list (its full height), no more');
  assert.ok(maxDom <= 40, `the DOM held ${maxDom} rows at most: the list is virtualized`);
  const oldest = list.getByRole('link', { name: /#seed-10000/ });
  await oldest.click();
  await page.waitForURL(/\/inbox\/[0-9a-f-]{36}/);
  const long = (await page.evaluate('window.__long')) as number[];
  console.log(
    `[inbox-scale ${s.env.mode}] ${TOTAL} conversations, ${pages} pages in ${seconds.toFixed(1)} s; at most ${maxDom} rows in the DOM; ` +
      `${long.length} long tasks, longest ${Math.round(Math.max(0, ...long))} ms`,
  );
  await screenshot(page, `dashboard-inbox-10000-${s.env.mode}`);
  await assertClean(page, problems, 'the inbox with 10,000 conversations');
}, 600_000);
