import assert from 'node:assert/strict';
import { test } from 'vitest';
import { api } from '../../cli/testing.ts';
import { newContext, screenshot, watchPage } from '../browser.ts';
import { assertClean, signIn, useDashboard } from './support.ts';

/**
 * Invitations in a real browser against `switchboard start` (embedded and production mode): the
 * owner invites a user from Settings (nothing is emailed: the org has no email connection, or a sandbox one; the link is shown once),
 * the invitee opens the link in another browser, chooses a password, lands in the dashboard
 * signed in, and later signs in with that password; the link does not work twice.
 */
const d = useDashboard();

test.skipIf(d.skip)('invite → open the link → set a password → signed in; the password works from then on and the link only once', async () => {
  const { browser, s } = d;
  const { page, problems } = await signIn(browser, s.url, s.owner.email, s.owner.password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Invite by email' }).waitFor();
  const invitee = 'robin.invited@dashboard-test.example';
  await page.getByLabel('Invitee email').fill(invitee);
  await page.getByLabel('Invitee name').fill('Robin');
  await page.getByLabel('Invitee role').selectOption('agent');
  await page.getByRole('button', { name: 'Send invitation' }).click();
  // The demo org (embedded mode) has a sandbox email connection, the production-mode org none: nothing is emailed either way.
  await page.getByText(/Not emailed: (The org has no active email connection|The org’s email connection is a sandbox)/).waitFor();
  const link = (await page.getByRole('status', { name: `Invite link for ${invitee}` }).locator('code').innerText()).trim();
  assert.ok(link.startsWith(`${s.url}/invite#sign_in_token=sbt_`), link);
  await page.getByRole('button', { name: `Resend invitation to ${invitee}` }).waitFor();
  await screenshot(page, `dashboard-invite-${s.env.mode}`);
  await assertClean(page, problems, 'settings with an invitation');

  // The invitee, in a browser of their own.
  const context = await newContext(browser);
  const guest = await context.newPage();
  const guestProblems = watchPage(guest);
  await guest.goto(link);
  await guest.getByRole('heading', { name: 'Choose your password' }).waitFor();
  assert.doesNotMatch(guest.url(), /sign_in_token/, 'the token leaves the address bar at once');
  await guest.getByLabel('New password').fill('robin-chose-this-password');
  await guest.getByLabel('Repeat the password').fill('robin-chose-this-passwor');
  await guest.getByText('The two passwords differ.').waitFor();
  await screenshot(guest, `dashboard-set-password-${s.env.mode}`);
  await assertClean(guest, guestProblems, 'set password');
  await guest.getByLabel('Repeat the password').fill('robin-chose-this-password');
  await guest.getByRole('button', { name: 'Set password and continue' }).click();
  const nav = guest.getByRole('navigation', { name: 'Main' });
  await nav.waitFor();
  assert.equal(await guest.locator('.user-email').textContent(), 'Robin');
  assert.equal(await guest.locator('.user-role').textContent(), 'agent');
  assert.equal(new URL(guest.url()).pathname, '/');
  await guest.getByRole('region', { name: 'Conversations' }).waitFor();
  // An agent: no Settings.
  assert.equal(await nav.getByRole('link', { name: 'Settings' }).count(), 0);
  await assertClean(guest, guestProblems, 'the invitee signed in');
  await guest.getByRole('button', { name: 'Sign out' }).click();
  await guest.getByRole('button', { name: 'Sign in' }).waitFor();

  // The link again: refused, said so on the sign-in page.
  await guest.goto(link);
  await guest.getByText('This sign-in link did not work').waitFor();
  await context.close();

  // The chosen password signs in; the owner sees the invitation accepted.
  const again = await signIn(browser, s.url, invitee, 'robin-chose-this-password');
  await again.page.context().close();
  const users = await api(s.url, s.apiKey, 'GET', '/v1/users');
  assert.equal(users.json.data.find((u: any) => u.email === invitee).invitation, 'accepted');
  await page.reload();
  await page.getByRole('heading', { name: 'Invite by email' }).waitFor();
  assert.equal(await page.getByRole('button', { name: `Resend invitation to ${invitee}` }).count(), 0);
  await page.context().close();
});
