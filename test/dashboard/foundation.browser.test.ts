import assert from 'node:assert/strict';
import { test } from 'vitest';
import { api } from '../../cli/testing.ts';
import { newContext, screenshot, watchPage } from '../browser.ts';
import { assertClean, signIn, useDashboard } from './support.ts';

/**
 * The dashboard's foundation in a real browser against `switchboard start`: served at / under a
 * strict CSP (never capturing /v1 or /docs), the demo owner signs in with the banner's
 * credentials, sees every screen in the navigation, signs out; a wrong password is shown with its
 * code; axe finds nothing serious on the sign-in page or the shell.
 */
const d = useDashboard();

test.skipIf(d.skip)('the SPA is served at / with a strict CSP, and never answers for /v1, /docs or /widget', async () => {
  const { s } = d;
  const home = await fetch(s.url + '/inbox/anything', { headers: { accept: 'text/html' } });
  assert.equal(home.status, 200);
  const csp = home.headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.match(await home.text(), /<div id="root">/);
  const missing = await api(s.url, null, 'GET', '/v1/nothing-here');
  assert.equal(missing.status, 404);
  assert.equal(missing.json.error.code, 'not_found');
  for (const other of ['/widget/nothing', '/kit/nothing', '/v1']) {
    assert.doesNotMatch(await (await fetch(s.url + other, { headers: { accept: 'text/html' } })).text(), /<div id="root">/, other);
  }
  const docs = await fetch(s.url + '/docs');
  assert.doesNotMatch(await docs.text(), /<div id="root">/);
});

test.skipIf(d.skip)('a wrong password shows the API error code; the demo owner signs in, sees every screen, signs out', async () => {
  const { browser, s } = d;
  const context = await newContext(browser);
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(s.url + '/');
  await page.getByLabel('Email').fill(s.owner.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').getByText('unauthorized').waitFor();
  await screenshot(page, `dashboard-signin-error-${s.env.mode}`);
  await assertClean(page, problems, 'sign-in');
  await context.close();

  const signed = await signIn(browser, s.url, s.owner.email, s.owner.password);
  const nav = signed.page.getByRole('navigation', { name: 'Main' });
  for (const label of ['Inbox', 'Connectors', 'Rules', 'Developers', 'Compliance', 'Settings']) {
    assert.equal(await nav.getByRole('link', { name: label }).count(), 1, label);
  }
  await signed.page.getByText('Demo owner').waitFor();
  await nav.getByRole('link', { name: 'Rules' }).click();
  await signed.page.getByRole('heading', { name: 'Rules' }).waitFor();
  await screenshot(signed.page, `dashboard-shell-${s.env.mode}`);
  await assertClean(signed.page, signed.problems, 'shell');
  await signed.page.getByRole('button', { name: 'Sign out' }).click();
  await signed.page.getByRole('heading', { name: 'Sign in' }).waitFor();
  // The session is ended on the server, not only forgotten by the page.
  const after = await signed.page.evaluate(() => fetch('/v1/sessions/current').then((r) => r.status));
  assert.equal(after, 401);
});
