import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test, beforeAll, afterAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { api } from '../../cli/testing.ts';
import { browserAvailable, launchBrowser, screenshot } from '../browser.ts';
import { waitFor } from '../wait.ts';
import { assertClean, signIn, startDashboardServer, type DashboardServer } from './support.ts';

/**
 * The connection page in a real browser against `switchboard start` (embedded, or production with
 * DATABASE_URL/REDIS_URL): an OAuth connector's "Connect" goes to the provider's consent page and
 * comes back to the page, authorized (issue 11, Connectors). HubSpot's consent page is answered by
 * the browser (route interception: it redirects to our callback the way HubSpot does after
 * consent); its token endpoint by nock inside the server process (hubspot-oauth-provider.mjs).
 */
const skip = !browserAvailable() && 'Chromium is not installed (apt-get install chromium)';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const OAUTH_APP = { clientId: '5c7f0a4e-test-app', clientSecret: 'b1e2d3c4-test-secret' };
const CODE = 'na1-code-from-consent';
let browser: Browser;
let s: DashboardServer;

const call = async (method: string, p: string, body?: unknown) => {
  const r = await api(s.url, s.apiKey, method, p, body);
  assert.ok(r.status < 300, `${method} ${p}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
};

beforeAll(async () => {
  if (skip) return;
  [browser, s] = await Promise.all([
    launchBrowser(),
    startDashboardServer({
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${pathToFileURL(path.join(HERE, 'hubspot-oauth-provider.mjs')).href}`.trim(),
      TEST_HUBSPOT_CODE: CODE,
      TEST_HUBSPOT_CLIENT_ID: OAUTH_APP.clientId,
      TEST_HUBSPOT_CLIENT_SECRET: OAUTH_APP.clientSecret,
    }),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

test.skipIf(skip)('Connect: an OAuth connection goes to the provider and comes back to its page, authorized', async () => {
  const hubspot = await call('POST', '/v1/connections', { connector: 'hubspot', name: 'HubSpot CRM', config: { portalId: '62515' }, secrets: OAUTH_APP });
  const { page, problems } = await signIn(browser, s.url, s.owner.email, s.owner.password);
  // HubSpot's consent page: the admin grants access, HubSpot redirects to redirect_uri with a code and our state.
  const consent: URL[] = [];
  await page.context().route('https://app.hubspot.com/oauth/authorize**', async (route) => {
    const u = new URL(route.request().url());
    consent.push(u);
    const back = new URL(u.searchParams.get('redirect_uri')!);
    back.searchParams.set('code', CODE);
    back.searchParams.set('state', u.searchParams.get('state')!);
    await route.fulfill({ status: 302, headers: { location: back.toString() } });
  });

  await page.goto(`${s.url}/connections/${hubspot.id}`);
  await page.getByRole('heading', { name: 'HubSpot CRM' }).waitFor();
  await page.getByRole('button', { name: 'Connect' }).click();
  const outcome = page.getByRole('status', { name: 'Authorization' });
  await outcome.getByText('Connected: HubSpot granted access').waitFor({ timeout: 30_000 });
  assert.equal(new URL(page.url()).pathname, `/connections/${hubspot.id}`, 'back on the connection page');
  assert.equal(new URL(page.url()).searchParams.get('oauth'), 'authorized');
  assert.equal(consent.length, 1);
  assert.equal(consent[0]!.searchParams.get('client_id'), OAUTH_APP.clientId);
  assert.equal(consent[0]!.searchParams.get('scope'), 'crm.objects.contacts.read crm.objects.contacts.write');
  // The exchange really happened: the connection's feed says authorized.
  await waitFor(
    'connection.authorized in the feed',
    async () => (await call('GET', '/v1/sync?limit=100&types=connection.authorized')).events.some((e: any) => e.subjectId === hubspot.id),
    30_000,
    200,
  );
  await screenshot(page, `dashboard-connection-oauth-${s.env.mode}`);
  await assertClean(page, problems, 'connection page after Connect');
  await page.getByRole('button', { name: 'Dismiss' }).click();
  await outcome.waitFor({ state: 'hidden' });
  assert.equal(new URL(page.url()).search, '');
  await page.context().close();
});
