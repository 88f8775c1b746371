import assert from 'node:assert/strict';
import { test } from 'vitest';
import { api } from '../../cli/testing.ts';
import { screenshot } from '../browser.ts';
import { ACCOUNT_SID } from '../connections.ts';
import { assertClean, signIn, useDashboard } from './support.ts';

/**
 * The connection page's provisioning cards in a real browser against `switchboard start`
 * (embedded, or production with DATABASE_URL/REDIS_URL), on a sandbox Twilio connection (no
 * credentials, no provider): "Webhook wiring" shows the wiring check and "Fix webhook URLs" runs
 * it; "Get a number" searches, buys (once: the Idempotency-Key), and the bought number is a sender
 * that shows in the wiring check. Everything goes through the public API, as the page does.
 */
const d = useDashboard();

const call = async (method: string, p: string, body?: unknown) => {
  const r = await api(d.s.url, d.s.apiKey, method, p, body);
  assert.ok(r.status < 300, `${method} ${p}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
};

test.skipIf(d.skip)('Webhook wiring (health, Fix webhook URLs) and Get a number (search, buy) on a sandbox connection', async () => {
  const { browser, s } = d;
  const c = await call('POST', '/v1/connections', { connector: 'twilio', name: 'Sandbox line', sandbox: true, config: { accountSid: ACCOUNT_SID }, secrets: { authToken: 'placeholder' } });
  assert.equal(c.wiring.status, 'wired');
  const { page, problems } = await signIn(browser, s.url, s.owner.email, s.owner.password);
  const apiCalls: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith(`/v1/connections/${c.id}/`)) apiCalls.push(`${r.method()} ${u.pathname.slice(`/v1/connections/${c.id}`.length)} ${r.headers()['idempotency-key'] ? 'idem' : ''}`.trim());
  });
  await page.goto(`${s.url}/connections/${c.id}`);
  await page.getByRole('heading', { name: 'Sandbox line' }).waitFor();

  // The wiring check: no number yet, ok.
  const wiring = page.getByRole('region', { name: 'Webhook wiring' });
  await wiring.getByText('ok', { exact: true }).waitFor();
  await wiring.getByText(/Nothing to point here yet/).waitFor();

  // Get a number: search by area code, buy the first one.
  const get = page.getByRole('region', { name: 'Get a number' });
  await get.getByText(/Sandbox: fictional numbers/).waitFor();
  await get.getByLabel('Area code').fill('212');
  await get.getByRole('button', { name: 'Search' }).click();
  const results = get.getByRole('table', { name: 'Available numbers' });
  await results.waitFor();
  const rows = results.getByRole('row');
  assert.equal(await rows.count(), 11, 'a header and ten numbers');
  const first = (await rows.nth(1).getByRole('cell').first().innerText()).trim();
  assert.match(first, /^\+121255501\d\d$/);
  await get.getByRole('button', { name: `Buy ${first}` }).click();
  await get.getByRole('status').getByText(`Sandbox number ${first}: it points at this connection and is now one of its senders.`).waitFor();
  const senders = await call('GET', `/v1/connections/${c.id}/senders`);
  assert.deepEqual(senders.data.map((x: { address: string }) => x.address), [first]);
  const bought = await call('GET', '/v1/audit?action=connection.number_bought');
  assert.deepEqual(bought.data.map((e: { details: { phoneNumber: string } }) => e.details.phoneNumber), [first]);

  // The new number is in the wiring check (refreshed after the purchase), pointing here; Fix webhook URLs runs the fix.
  const numberRow = wiring.getByRole('table', { name: 'Webhook settings' }).getByRole('row', { name: new RegExp(`\\${first}`) });
  await numberRow.getByText('points here').waitFor();
  await wiring.getByRole('button', { name: 'Fix webhook URLs' }).click();
  await wiring.getByRole('status').getByText('Everything already points at this connection.').waitFor();
  await screenshot(page, `dashboard-provisioning-${s.env.mode}`);
  await assertClean(page, problems, 'connection page with the provisioning cards');

  // What the page asked of the API: the public endpoints, the purchase with an Idempotency-Key.
  for (const expected of ['GET /provisioning', 'GET /health', 'GET /numbers/available', 'POST /numbers idem', 'POST /wiring/fix']) {
    assert.ok(apiCalls.includes(expected), `${expected} in ${JSON.stringify(apiCalls)}`);
  }

  // A disabled connection shows no provisioning card (nothing can be bought or fixed through it).
  await call('PATCH', `/v1/connections/${c.id}`, { status: 'disabled' });
  await page.reload();
  await page.getByRole('heading', { name: 'Sandbox line' }).waitFor();
  await page.getByRole('region', { name: 'Activity' }).waitFor();
  assert.equal(await page.getByRole('region', { name: 'Get a number' }).count(), 0);
  assert.equal(await page.getByRole('region', { name: 'Webhook wiring' }).count(), 0);
  await page.context().close();
});
