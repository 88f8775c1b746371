import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { test, beforeAll, afterAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { api } from '../../cli/testing.ts';
import { browserAvailable, launchBrowser, screenshot } from '../browser.ts';
import { waitFor } from '../wait.ts';
import { ACCOUNT_SID, AUTH_TOKEN, CUSTOMER, OUR_NUMBER, postTwilio } from '../connections.ts';
import { assertClean, confirm, signIn, startDashboardServer, type DashboardServer } from './support.ts';

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
let twilio2: string;

/**
 * A next major of the twilio connector, installed as a third-party package would be
 * (SWITCHBOARD_CONNECTORS, an absolute path) with its CHANGELOG.md: it maps Facebook Messenger
 * senders, which 1.x refuses as phone numbers (the same fix as api/routes/receive.test.ts).
 */
function writeTwilio2(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-twilio2-'));
  const twilioEntry = pathToFileURL(path.join(HERE, '../../connectors/twilio/index.ts')).href;
  fs.writeFileSync(
    path.join(dir, 'index.ts'),
    `import twilio from ${JSON.stringify(twilioEntry)};
const { major: _m, validateConfig: _c, validateSecrets: _s, ...spec } = twilio as any;
const manifest = structuredClone(twilio.manifest) as any;
const rule = manifest.inbound.find((r: any) => r.name === 'inbound-message');
rule.fields.channel = "$contains(body.From, /^whatsapp:/) ? 'whatsapp' : $contains(body.From, /^messenger:/) ? 'messenger' : 'sms'";
rule.fields.from = { kind: "$contains(body.From, /^whatsapp:/) ? 'whatsapp' : $contains(body.From, /^messenger:/) ? 'messenger' : 'phone'", value: "$replace(body.From, /^(whatsapp|messenger):/, '')" };
rule.fields.to = { address: "$replace(body.To, /^(whatsapp|messenger):/, '')" };
manifest.configMigrations = [...(manifest.configMigrations ?? []), { from: 1, to: 2, transform: '$' }];
export default { ...spec, version: '2.0.0', manifest };
`,
  );
  // An ES module package, like the ones `switchboard connector new` scaffolds.
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'switchboard-connector-twilio-next', version: '2.0.0', type: 'module', main: 'index.ts' }));
  fs.writeFileSync(path.join(dir, 'CHANGELOG.md'), '# Changelog\n\n## 2.0.0\n\n- Facebook Messenger senders (messenger:<id>) map to the messenger channel instead of failing as phone numbers.\n');
  return dir;
}

const call = async (method: string, p: string, body?: unknown) => {
  const r = await api(s.url, s.apiKey, method, p, body);
  assert.ok(r.status < 300, `${method} ${p}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
};

beforeAll(async () => {
  if (skip) return;
  twilio2 = writeTwilio2();
  [browser, s] = await Promise.all([
    launchBrowser(),
    startDashboardServer({
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${pathToFileURL(path.join(HERE, 'hubspot-oauth-provider.mjs')).href}`.trim(),
      TEST_HUBSPOT_CODE: CODE,
      TEST_HUBSPOT_CLIENT_ID: OAUTH_APP.clientId,
      TEST_HUBSPOT_CLIENT_SECRET: OAUTH_APP.clientSecret,
      SWITCHBOARD_CONNECTORS: path.join(twilio2, 'index.ts'),
    }),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
  if (twilio2) fs.rmSync(twilio2, { recursive: true, force: true });
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

let sid = 0;
const inbound = (url: string, from: string, body: string) =>
  postTwilio(url, { MessageSid: `SM${String(++sid).padStart(32, '0')}`, AccountSid: ACCOUNT_SID, From: from, To: OUR_NUMBER, Body: body, NumMedia: '0' });

test.skipIf(skip)('Activity, archive and version: failed requests shown, the fixed major installed from its CHANGELOG, then every failed request replayed with progress', async () => {
  const c = await call('POST', '/v1/connections', { connector: 'twilio@1', name: 'Twilio line', config: { accountSid: ACCOUNT_SID, fromNumbers: [OUR_NUMBER] }, secrets: { authToken: AUTH_TOKEN }, wire: false });
  assert.equal(c.version.split('.')[0], '1');
  assert.equal((await inbound(c.inboundUrl, CUSTOMER, 'Is the pool open?')).status, 200);
  assert.equal((await inbound(c.inboundUrl, 'messenger:2647851908581937', 'Hi from Messenger')).status, 400);
  assert.equal((await inbound(c.inboundUrl, 'messenger:2647851908581938', 'Me too')).status, 400);

  const { page, problems } = await signIn(browser, s.url, s.owner.email, s.owner.password);
  await page.goto(`${s.url}/connections/${c.id}`);
  const activity = page.getByRole('region', { name: 'Activity' });
  await activity.getByText('2 inbound failed').waitFor();
  await activity.getByText('0 sends failed').waitFor();
  assert.doesNotMatch(await activity.getByText('Last inbound').locator('..').innerText(), /never/);
  const archive = page.getByRole('region', { name: 'Inbound archive' });
  await waitFor('three archived requests', async () => (await archive.getByRole('row', { name: /^Request / }).count()) === 3, 30_000, 100);
  await archive.getByLabel('Failed only').check();
  await waitFor('only the two failed ones', async () => (await archive.getByRole('row', { name: /^Request / }).count()) === 2, 30_000, 100);
  assert.equal(await archive.getByRole('row', { name: /^Request failed/ }).count(), 2);

  // The fix is a new major: offered with its CHANGELOG entry, applied only when confirmed.
  const version = page.getByRole('region', { name: 'Version' });
  await version.getByRole('heading', { name: 'Upgrade available: 2.0.0' }).waitFor();
  assert.match(await version.getByLabel('Changes in 2.0.0').innerText(), /Messenger senders/);
  await screenshot(page, `dashboard-connection-activity-${s.env.mode}`);
  await assertClean(page, problems, 'connection page: activity, archive, version');
  await version.getByRole('button', { name: 'Upgrade to 2.0.0…' }).click();
  await confirm(page, 'Upgrade to 2.0.0');
  await version.getByText('Upgraded to 2.0.0.').waitFor();
  assert.equal((await call('GET', `/v1/connections/${c.id}`)).version, '2.0.0');

  // Replay every failed request: progress to 2 of 2, both processed now, the archive has no failed left.
  await archive.getByRole('button', { name: 'Replay all failed' }).click();
  const progress = page.getByRole('status', { name: 'Replay progress' });
  await progress.getByText('Replayed 2 of 2: 2 processed').waitFor({ timeout: 30_000 });
  assert.equal(await progress.getByRole('progressbar').getAttribute('value'), '2');
  await archive.getByText('No failed requests').waitFor({ timeout: 30_000 });
  assert.equal((await call('GET', `/v1/connections/${c.id}/archive?failed=true`)).data.length, 0);
  const conversations = (await call('GET', '/v1/conversations?limit=50')).data.filter((x: any) => x.channel === 'messenger');
  assert.equal(conversations.length, 2, 'both Messenger messages are in the inbox now');
  await activity.getByText('0 inbound failed').waitFor({ timeout: 30_000 });
  await screenshot(page, `dashboard-connection-replayed-${s.env.mode}`);
  await assertClean(page, problems, 'connection page after the replay');
  await page.context().close();
});
