import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { test, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { api, runCli } from '../../cli/testing.ts';
import { browserAvailable, launchBrowser, newContext, screenshot, watchPage } from '../browser.ts';
import { assertClean, startDashboardServer, type DashboardServer } from './support.ts';

/**
 * Platform white-label in the dashboard (issue 17, Done 4): a platform's server mints a sign-in
 * token for a user of one of its orgs; `/#sign_in_token=…` lands that user in that org, signed in,
 * under the org's branding (name, logo, colour), with the token gone from the address and spent.
 * On the platform's own domain (Host-based), the sign-in page wears the platform's branding.
 */
const skip = !browserAvailable() && 'Chromium is not installed (apt-get install chromium)';
const DOMAIN = 'app.propertyco.test';
const LOGO = 'https://cdn.propertyco.test/sunset-logo.png';
let browser: Browser;
let s: DashboardServer;
let platformKey: string;
let orgId: string;

/** A 30×30 solid PNG, so the logo is visibly the org's (served to the browser by route interception). */
function png(rgb: [number, number, number]): Buffer {
  const crc = (buf: Buffer) => {
    let c = ~0;
    for (const b of buf) {
      c ^= b;
      for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
    }
    return ~c >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(30, 0);
  ihdr.writeUInt32BE(30, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.concat(Array.from({ length: 30 }, () => Buffer.from(rgb)))]);
  const raw = Buffer.concat(Array.from({ length: 30 }, () => row));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

async function call(method: string, path: string, body?: unknown, org?: string) {
  const res = await fetch(s.url + path, {
    method,
    headers: { authorization: `Bearer ${platformKey}`, 'content-type': 'application/json', ...(org ? { 'switchboard-org': org } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json: any = await res.json();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const accent = (page: Page) => page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--accent').trim());

beforeAll(async () => {
  if (skip) return;
  s = await startDashboardServer();
  const port = new URL(s.url).port;
  browser = await launchBrowser([`--host-resolver-rules=MAP ${DOMAIN} 127.0.0.1`]);
  const made = await runCli(['platform', 'create', '--name', 'PropertyCo', '--json'], s.env.env);
  assert.equal(made.code, 0, made.stderr);
  platformKey = JSON.parse(made.stdout).apiKey;
  // The platform's default branding and the domain its customers open the dashboard on (CNAME'd to us).
  await call('PATCH', '/v1/platform', { branding: { displayName: 'PropertyCo Messaging', colors: { primary: '#0f766e', accent: '#115e59' } }, domains: [`${DOMAIN}:${port}`] });
  const created = await call('POST', '/v1/platform/orgs', { name: 'Sunset Apartments LLC', branding: { displayName: 'Sunset Apartments', logoUrl: LOGO, colors: { primary: '#c2410c', accent: '#9a3412' } } });
  orgId = created.org.id;
  await call('POST', '/v1/users', { email: 'manager@sunset.test', role: 'admin', name: 'Maria Manager', password: 'correct horse battery staple' }, orgId);
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

test.skipIf(skip)("a platform's sign-in link lands the user in the org, signed in, with the org's name, logo and colour; the link works once", async () => {
  const { token } = await call('POST', `/v1/platform/orgs/${orgId}/sign-in-tokens`, { email: 'manager@sunset.test', expiresInSeconds: 120 });
  const context = await newContext(browser);
  await context.route(LOGO, (route) => route.fulfill({ status: 200, contentType: 'image/png', body: png([194, 65, 12]) }));
  const page = await context.newPage();
  const problems = watchPage(page);
  const link = `${s.url}/#sign_in_token=${encodeURIComponent(token)}`;
  await page.goto(link);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.waitFor();
  assert.equal(await page.locator('.sidebar .brand-name').textContent(), 'Sunset Apartments');
  assert.equal(await page.locator('.sidebar .brand-org').textContent(), 'Sunset Apartments LLC');
  assert.equal(await page.locator('.sidebar .user-email').textContent(), 'Maria Manager');
  const logo = page.locator('.sidebar img.brand-logo');
  assert.equal(await logo.getAttribute('src'), LOGO);
  await page.waitForFunction(() => (document.querySelector('.sidebar img.brand-logo') as HTMLImageElement | null)?.naturalWidth === 30);
  assert.equal(await accent(page), '#c2410c');
  assert.match(await page.title(), / · Sunset Apartments$/);
  assert.ok(!page.url().includes('sign_in_token'), `the token left the address: ${page.url()}`);
  // The session is the org's: the API answers for that org with the cookie the exchange set.
  const org = await page.evaluate(async () => (await fetch('/v1/org')).json());
  assert.deepEqual([org.id, org.branding.displayName], [orgId, 'Sunset Apartments']);
  await page.locator('#main').getByText(/Loading/).first().waitFor({ state: 'hidden' });
  await screenshot(page, `dashboard-platform-sign-in-${s.env.mode}`);
  await assertClean(page, problems, 'signed in through a platform link');
  await context.close();

  // The same link again (single use): the sign-in page says the link did not work.
  const again = await newContext(browser);
  const second = await again.newPage();
  const secondProblems = watchPage(second);
  await second.goto(link);
  await second.getByRole('alert').getByText('This sign-in link did not work').waitFor();
  assert.equal(await second.getByRole('navigation', { name: 'Main' }).count(), 0);
  await screenshot(second, `dashboard-platform-sign-in-spent-${s.env.mode}`);
  assert.deepEqual(secondProblems.cspViolations, []);
  await again.close();
});

test.skipIf(skip)("served on the platform's own domain, the sign-in page wears the platform's branding; on ours, Switchboard's", async () => {
  const port = new URL(s.url).port;
  const context = await newContext(browser);
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(`http://${DOMAIN}:${port}/`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.locator('.signin .brand-name', { hasText: 'PropertyCo Messaging' }).waitFor();
  assert.equal(await accent(page), '#0f766e');
  await screenshot(page, `dashboard-platform-domain-sign-in-${s.env.mode}`);
  await assertClean(page, problems, "sign-in on the platform's domain");
  await page.goto(`${s.url}/`);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  assert.equal(await page.locator('.signin .brand-name').textContent(), 'Switchboard');
  assert.notEqual(await accent(page), '#0f766e');
  await context.close();
  assert.equal((await api(s.url, null, 'GET', '/v1/branding')).json.platform, null);
});
