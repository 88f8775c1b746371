import assert from 'node:assert/strict';
import { test, beforeAll, afterAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { api } from '../../cli/testing.ts';
import { browserAvailable, launchBrowser, newContext, screenshot } from '../browser.ts';
import { hostSite, type HostSite } from '../../widget/test-servers.ts';
import { assertClean, signIn, startDashboardServer, type DashboardServer } from './support.ts';

/**
 * The chat widget configurator (dashboard /widget) in a real browser against `switchboard start`
 * (both modes): a person allows a site's origin, themes a key, creates it, copies the one-line
 * snippet (pinned, with its SRI hash) and that snippet, pasted into the site, shows the themed
 * widget. Needs `npm run build:widget` (npm install runs it).
 */
const skip = !browserAvailable() && 'Chromium is not installed (apt-get install chromium)';
let browser: Browser;
let s: DashboardServer;
let site: HostSite;
let connectionId: string;

beforeAll(async () => {
  if (skip) return;
  [browser, s, site] = await Promise.all([launchBrowser(), startDashboardServer(), hostSite('localhost')]);
  const conn = await api(s.url, s.apiKey, 'POST', '/v1/connections', {
    connector: 'webchat', name: 'Website chat', config: { allowedOrigins: ['https://old.example.com'] }, secrets: { identitySecret: 'idsec_7a1b2c3d4e5f60718293a4b5c6d7e8f9' },
  });
  assert.equal(conn.status, 201, conn.text);
  connectionId = conn.json.id;
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
  await s?.close();
});

test.skipIf(skip)('a person allows their site, themes the widget, copies the snippet with its SRI hash, and the pasted snippet works', async () => {
  const { page, problems } = await signIn(browser, s.url, s.owner.email, s.owner.password);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.url });
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Chat widget' }).click();
  // The demo org (embedded mode) has a web chat connection of its own: work in ours.
  const card = page.getByRole('region', { name: 'Website chat' });
  await card.waitFor();

  await card.getByLabel('Allowed origins (one per line)').fill(`https://old.example.com\n${site.origin}`);
  await card.getByRole('button', { name: 'Save origins' }).click();
  await card.getByText('Origins saved.').waitFor();
  const conn = await api(s.url, s.apiKey, 'GET', `/v1/connections/${connectionId}`);
  assert.deepEqual(conn.json.config.allowedOrigins, ['https://old.example.com', site.origin]);

  await card.getByRole('button', { name: 'Create a publishable key' }).click();
  const snippetBox = card.getByTestId('widget-snippet');
  await snippetBox.waitFor();
  await card.getByLabel('Brand colour').fill('#0b6e4f');
  await card.getByLabel('Title').fill('Maple Court leasing');
  await card.getByRole('button', { name: 'Save theme' }).click();
  await card.getByText('Theme saved').waitFor();
  const keys = await api(s.url, s.apiKey, 'GET', `/v1/connections/${connectionId}/publishable-keys`);
  assert.deepEqual(keys.json.data[0].widgetOptions, { brandColor: '#0b6e4f', title: 'Maple Court leasing' });

  await card.getByRole('button', { name: 'Copy snippet' }).click();
  await card.getByText('Copied.').waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, await snippetBox.inputValue());
  const manifest = await (await fetch(`${s.url}/widget/manifest.json`)).json();
  assert.match(copied, new RegExp(`^<script src="${s.url}${manifest.path}" integrity="${manifest.integrity.replace(/[+/]/g, '\\$&')}" crossorigin="anonymous" data-key="pk_live_[A-Za-z0-9_-]{32}" async></script>$`));
  await screenshot(page, 'dashboard-widget-configurator');
  await assertClean(page, problems, 'the widget configurator');

  // Pasted into the site: the themed widget, from the pinned URL under SRI.
  site.page('/', `<!doctype html><html lang="en"><head><title>Maple Court</title></head><body><h1>Maple Court</h1>${copied}</body></html>`);
  const context = await newContext(browser);
  const visitor = await context.newPage();
  try {
    await visitor.goto(site.origin + '/');
    await visitor.locator('switchboard-chat .launcher').click();
    await visitor.locator('switchboard-chat .title', { hasText: 'Maple Court leasing' }).waitFor({ timeout: 20_000 });
    assert.equal(await visitor.locator('switchboard-chat .launcher').evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(11, 110, 79)');
    assert.equal(await visitor.locator('switchboard-chat [role="alert"]').count(), 0, 'the origin saved in the dashboard is allowed');

    // Done means 1, through the dashboard: the visitor's message (with the page's unit) appears live
    // in the inbox, the agent's reply from the inbox appears live in the widget.
    site.page('/unit-4b', `<!doctype html><html lang="en"><head><title>Unit 4B</title></head><body><h1>Unit 4B</h1>${copied.replace(' async>', ' data-unit="4B" async>')}</body></html>`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    await page.getByText('Live', { exact: true }).waitFor();
    await visitor.goto(site.origin + '/unit-4b');
    await visitor.locator('switchboard-chat .launcher').click();
    await visitor.locator('switchboard-chat textarea.input').fill('Is the pool open today?');
    await visitor.locator('switchboard-chat textarea.input').press('Enter');
    await visitor.locator('switchboard-chat .row.visitor', { hasText: 'Is the pool open today?' }).locator('[data-delivery="sent"]').waitFor();
    const row = page.getByRole('region', { name: 'Conversations' }).getByRole('link', { name: /Is the pool open today\?/ });
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    await page.getByRole('list', { name: 'Messages' }).getByText('Is the pool open today?').waitFor();
    const details = page.getByRole('complementary', { name: 'Contact' }).locator('.contact-meta');
    await details.getByText('unit').waitFor();
    assert.equal(await details.locator('div', { has: page.locator('dt', { hasText: 'unit' }) }).locator('dd').innerText(), '4B', "the page's unit is the conversation's metadata");
    const reply = page.getByLabel('Reply', { exact: true });
    await reply.fill('Yes, until 9pm.');
    await page.getByText(/Ready to send on/).waitFor();
    await reply.press('Enter');
    await visitor.locator('switchboard-chat .row.agent .bubble', { hasText: 'Yes, until 9pm.' }).waitFor({ timeout: 20_000 });
    await screenshot(page, 'dashboard-inbox-widget-chat');
    await screenshot(visitor, 'widget-reply-from-dashboard');
    await assertClean(page, problems, 'the inbox with a widget chat');
  } finally {
    await context.close();
    await page.context().close();
  }
});

test.skipIf(skip)('any live key can be picked: the configurator shows and saves that key\'s theme and shows its snippet (with SRI), not only a new key\'s', async () => {
  const conn = await api(s.url, s.apiKey, 'POST', '/v1/connections', {
    connector: 'webchat', name: 'Second site chat', config: { allowedOrigins: [site.origin] }, secrets: { identitySecret: 'idsec_0a1b2c3d4e5f60718293a4b5c6d7e8f9' },
  });
  assert.equal(conn.status, 201, conn.text);
  const mk = async (title: string) => {
    const r = await api(s.url, s.apiKey, 'POST', `/v1/connections/${conn.json.id}/publishable-keys`, { widgetOptions: { title } });
    assert.equal(r.status, 201, r.text);
    return r.json as { id: string; key: string; prefix: string };
  };
  const front = await mk('Front desk');
  const leasing = await mk('Leasing office');
  const manifest = await (await fetch(`${s.url}/widget/manifest.json`)).json();

  const { page, problems } = await signIn(browser, s.url, s.owner.email, s.owner.password);
  try {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Chat widget' }).click();
    const card = page.getByRole('region', { name: 'Second site chat' });
    const snippetBox = card.getByTestId('widget-snippet');
    await snippetBox.waitFor();
    // The first live key, created earlier (not in this browser): its snippet is there, with SRI.
    assert.equal(await snippetBox.inputValue(), `<script src="${s.url}${manifest.path}" integrity="${manifest.integrity}" crossorigin="anonymous" data-key="${front.key}" async></script>`);
    assert.equal(await card.getByLabel('Title').inputValue(), 'Front desk');

    await card.getByLabel('Publishable key').selectOption(leasing.id);
    await card.getByRole('heading', { name: `Snippet of ${leasing.prefix}…` }).waitFor();
    assert.match(await snippetBox.inputValue(), new RegExp(`integrity="${manifest.integrity.replace(/[+/]/g, '\\$&')}" crossorigin="anonymous" data-key="${leasing.key}"`));
    assert.equal(await card.getByLabel('Title').inputValue(), 'Leasing office');
    await card.getByLabel('Title').fill('Leasing office — ask us');
    await card.getByRole('button', { name: 'Save theme' }).click();
    await card.getByText('Theme saved').waitFor();
    const keys = (await api(s.url, s.apiKey, 'GET', `/v1/connections/${conn.json.id}/publishable-keys`)).json.data as { id: string; widgetOptions: { title: string } }[];
    assert.deepEqual(keys.map((k) => [k.id, k.widgetOptions.title]), [[front.id, 'Front desk'], [leasing.id, 'Leasing office — ask us']], 'only the picked key changed');
    await screenshot(page, 'dashboard-widget-key-picker');
    await assertClean(page, problems, 'the widget configurator with two keys');
  } finally {
    await page.context().close();
  }
});
