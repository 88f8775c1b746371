import { test, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { api, cliEnv, runCli, startCli, type CliEnv, type Server } from '../cli/testing.ts';
import { axeViolations, browserAvailable, launchBrowser, newContext, screenshot, watchPage } from '../test/browser.ts';
import { cuttableProxy, hostSite, type CuttableProxy } from './test-servers.ts';

/**
 * The UI kit's example page (/kit/) in Chromium against a real `switchboard start`, authenticated
 * with an embed token limited to unit 4B: it lists only 4B's conversations, and the API refuses
 * the token everywhere else. Needs `npm run build:widget`.
 */
const skip = !browserAvailable() && 'no Chromium at /usr/bin/chromium';
let ctx: CliEnv;
let server: Server;
let browser: Browser;
let proxy: CuttableProxy;
let apiKey: string;
const SCOPES = ['conversations:read', 'messages:read', 'messages:send', 'contacts:read', 'events:read'];

beforeAll(async () => {
  if (skip) return;
  ctx = await cliEnv();
  server = await startCli(ctx.env, 360_000);
  const created = await runCli(['org', 'create', '--name', 'Portal Co', '--json'], ctx.env);
  assert.equal(created.code, 0, created.stderr);
  apiKey = JSON.parse(created.stdout).apiKey;
  proxy = await cuttableProxy(server.url);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  if (server) assert.equal(await server.stop(), 0);
  await ctx?.dispose();
});

/** A resident writes from the app (an inbound chat message with the unit as conversation metadata). */
async function residentWrites(userId: string, unit: string, body: string) {
  const r = await api(server.url, apiKey, 'POST', '/v1/messages', {
    direction: 'inbound', channel: 'chat', from: { handle: { kind: 'app_user', value: userId } }, body, metadata: { unit },
  });
  assert.equal(r.status, 201, r.text);
  return r.json as { conversationId: string; contactId: string };
}

async function embedToken(body: Record<string, unknown>) {
  const r = await api(server.url, apiKey, 'POST', '/v1/embed-tokens', body);
  assert.equal(r.status, 201, r.text);
  return r.json.token as string;
}

const as = (token: string, method: string, path: string, body?: unknown) => api(server.url, token, method, path, body);

test.skipIf(skip)('7: a unit=4B embed token lists only 4B\'s conversations on the kit page; the API refuses it on another unit', async () => {
  const a = await residentWrites('res-4b-1', '4B', 'The dishwasher in 4B will not drain.');
  const b = await residentWrites('res-4b-2', '4B', 'Package for 4B at the front desk?');
  const other = await residentWrites('res-5c', '5C', 'Noise from upstairs in 5C again.');
  const token = await embedToken({ scopes: SCOPES, metadata: { unit: '4B' }, ttlSeconds: 600, userRef: 'manager-1' });
  assert.match(token, /^sbet_/);
  for (const [contactId, name] of [[a.contactId, 'Rosa Diaz'], [b.contactId, 'Sam Lee']] as const) {
    const named = await api(server.url, apiKey, 'PATCH', `/v1/contacts/${contactId}`, { name });
    assert.equal(named.status, 200, named.text);
  }

  // The API: only 4B, whatever the page asks for.
  const listed = await as(token, 'GET', '/v1/conversations');
  assert.deepEqual(listed.json.data.map((c: any) => c.id).sort(), [a.conversationId, b.conversationId].sort());
  const sneaky = await as(token, 'GET', '/v1/conversations?metadata[unit]=5C');
  assert.deepEqual(sneaky.json.data.map((c: any) => c.metadata.unit), ['4B', '4B'], 'the token\'s filter replaces the page\'s');
  assert.equal((await as(token, 'GET', `/v1/conversations/${other.conversationId}`)).status, 404);
  assert.equal((await as(token, 'GET', `/v1/conversations/${other.conversationId}/messages`)).status, 404);
  assert.equal((await as(token, 'POST', '/v1/messages', { conversationId: other.conversationId, body: 'hi' })).status, 404);
  assert.equal((await as(token, 'POST', '/v1/realtime/tokens', { conversationId: other.conversationId })).status, 404);
  assert.equal((await as(token, 'GET', `/v1/contacts/${other.contactId}`)).status, 404);
  assert.equal((await as(token, 'GET', '/v1/contacts')).status, 403, 'no contact list');
  assert.equal((await as(token, 'POST', '/v1/messages', { conversationId: a.conversationId, body: 'x', to: { handle: { kind: 'phone', value: '+14155550100' } } })).status, 403);
  assert.equal((await as(token, 'POST', '/v1/embed-tokens', { scopes: ['conversations:read'] })).status, 403, 'no minting from a browser token');
  assert.equal((await as(token, 'GET', '/v1/api-keys')).status, 403);
  assert.equal((await as(token, 'GET', `/v1/contacts/${a.contactId}`)).status, 200);
  assert.equal((await as(`${token.slice(0, -2)}xx`, 'GET', '/v1/conversations')).status, 401, 'a tampered token');
  const narrow = await embedToken({ scopes: ['conversations:read'], metadata: { unit: '4B' } });
  assert.equal((await as(narrow, 'GET', `/v1/conversations/${a.conversationId}/messages`)).status, 403, 'scopes are enforced');
  const refused = await api(server.url, apiKey, 'POST', '/v1/embed-tokens', { scopes: ['admin'] });
  assert.equal(refused.status, 400);

  // The page.
  const context = await newContext(browser);
  const page = await context.newPage();
  const problems = watchPage(page);
  try {
    // Through a proxy the test can cut: the page's origin is the proxy, the API behind it.
    await page.goto(`${proxy.url}/kit/#token=${token}`);
    await page.locator('.sb-conversation-item').first().waitFor({ timeout: 30_000 });
    const items = await page.locator('.sb-conversation-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-conversation-id')));
    assert.deepEqual(items, [b.conversationId, a.conversationId], 'newest activity first');
    assert.equal(await page.getByText('5C').count(), 0);
    // Two threads of one unit tell apart: who, what was said last, and when.
    const row = (id: string) => page.locator(`.sb-conversation-item[data-conversation-id="${id}"]`);
    await row(a.conversationId).locator('.sb-conversation-title', { hasText: 'Rosa Diaz' }).waitFor({ timeout: 20_000 });
    await row(b.conversationId).locator('.sb-conversation-title', { hasText: 'Sam Lee' }).waitFor({ timeout: 20_000 });
    assert.equal(await row(a.conversationId).locator('.sb-conversation-preview').innerText(), 'The dishwasher in 4B will not drain.');
    assert.equal(await row(b.conversationId).locator('.sb-conversation-preview').innerText(), 'Package for 4B at the front desk?');
    for (const id of [a.conversationId, b.conversationId]) {
      assert.match((await row(id).locator('time').getAttribute('datetime'))!, /^\d{4}-\d\d-\d\dT/);
      assert.ok((await row(id).locator('time').innerText()).trim().length > 0, 'the time is shown');
      assert.equal(await row(id).locator('.sb-conversation-segment').innerText(), '4B', 'the segment beside the name');
    }
    await screenshot(page, 'kit-conversation-list');
    await page.locator(`[data-conversation-id="${a.conversationId}"]`).click();
    await page.locator('.sb-bubble', { hasText: 'will not drain' }).waitFor();
    const connection = page.locator('.sb-connection');
    await page.locator('.sb-connection[data-connection="live"]', { hasText: 'Live' }).waitFor({ timeout: 20_000 });
    proxy.cut();
    await page.locator('.sb-connection[data-connection="reconnecting"]', { hasText: 'Reconnecting' }).waitFor({ timeout: 20_000 });
    await screenshot(page, 'kit-reconnecting');
    proxy.restore();
    await page.locator('.sb-connection[data-connection="live"]').waitFor({ timeout: 30_000 });
    assert.equal(await connection.getAttribute('role'), 'status', 'the state is announced');
    await page.locator('.sb-composer textarea').fill('A technician is booked for 2pm: https://maple.example/t/77');
    await page.locator('.sb-composer button[type="submit"]').click();
    await page.locator('.sb-message[data-direction="outbound"] .sb-bubble', { hasText: 'technician is booked' }).waitFor();
    const sent = await api(server.url, apiKey, 'GET', `/v1/conversations/${a.conversationId}/messages`);
    assert.equal(sent.json.data[0].body, 'A technician is booked for 2pm: https://maple.example/t/77');
    // Live: a new resident message arrives on the open conversation.
    await residentWrites('res-4b-1', '4B', 'Thank you! I will be home.');
    await page.locator('.sb-bubble', { hasText: 'I will be home' }).waitFor({ timeout: 20_000 });
    await page.locator('.sb-contact-card .sb-contact-name').waitFor();
    assert.deepEqual(await axeViolations(page), [], 'axe: kit page');
    await screenshot(page, 'kit-unit-4b');
    assert.deepEqual(problems, { dialogs: [], cspViolations: [], pageErrors: [] });
  } finally {
    await context.close();
  }
});

test.skipIf(skip)('the kit on an app\'s own origin (a second origin): an embed token minted with that origin lists, streams live and replies cross-origin; a token without it is refused, readably', async () => {
  const portal = await hostSite('localhost');
  try {
    const a = await residentWrites('res-4b-x1', '4B', 'Hallway light is out on 4B floor.');
    await residentWrites('res-6d-x1', '6D', 'Not for this portal.');
    // The kit page copied onto the portal's origin, loading the kit from the API host.
    const html = (await (await fetch(`${server.url}/kit/`)).text()).replace(/(src|href)="\/kit\//g, `$1="${server.url}/kit/`);
    portal.page('/', html);
    const token = await embedToken({ scopes: SCOPES, metadata: { unit: '4B' }, origins: [portal.origin] });
    const context = await newContext(browser);
    const page = await context.newPage();
    const problems = watchPage(page);
    try {
      await page.goto(`${portal.origin}/#token=${token}&api=${encodeURIComponent(server.url)}`);
      const row = page.locator(`.sb-conversation-item[data-conversation-id="${a.conversationId}"]`);
      await row.waitFor({ timeout: 30_000 });
      assert.equal(await page.getByText('Not for this portal.').count(), 0);
      await row.click();
      await page.locator('.sb-bubble', { hasText: 'Hallway light is out' }).waitFor({ timeout: 20_000 });
      await page.locator('.sb-connection[data-connection="live"]').waitFor({ timeout: 20_000 });
      await page.locator('.sb-composer textarea').fill('An electrician comes at 3pm.');
      await page.locator('.sb-composer button[type="submit"]').click();
      await page.locator('.sb-message[data-direction="outbound"] .sb-bubble', { hasText: 'electrician comes at 3pm' }).waitFor({ timeout: 20_000 });
      const sent = await api(server.url, apiKey, 'GET', `/v1/conversations/${a.conversationId}/messages`);
      assert.equal(sent.json.data[0].body, 'An electrician comes at 3pm.', 'the cross-origin reply reached the API');
      // Live across origins: the realtime WebSocket from the portal is admitted (the token names it).
      await residentWrites('res-4b-x1', '4B', 'Thanks, I will leave the door open.');
      await page.locator('.sb-bubble', { hasText: 'leave the door open' }).waitFor({ timeout: 20_000 });
      assert.deepEqual(await axeViolations(page), [], 'axe: kit on a second origin');
      await screenshot(page, 'kit-second-origin');
      assert.deepEqual(problems, { dialogs: [], cspViolations: [], pageErrors: [] });

      // The same page with a token that does not name the portal: refused, and the page says so.
      const plain = await embedToken({ scopes: SCOPES, metadata: { unit: '4B' } });
      await page.goto(`${portal.origin}/?again#token=${plain}&api=${encodeURIComponent(server.url)}`);
      const refused = page.locator('.sb-conversation-list .sb-error');
      await refused.waitFor({ timeout: 20_000 });
      assert.match(await refused.innerText(), /not allowed to use this embed token/);
      assert.equal(await page.locator('.sb-conversation-item').count(), 0);
    } finally {
      await context.close();
    }
  } finally {
    await portal.close();
  }
});
