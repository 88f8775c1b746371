import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test, beforeAll, afterAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { api } from '../../cli/testing.ts';
import { browserAvailable, launchBrowser, screenshot } from '../browser.ts';
import { ACCOUNT_SID, OUR_NUMBER, postTwilio } from '../connections.ts';
import { waitFor } from '../wait.ts';
import { assertClean, signIn, startDashboardServer, type DashboardServer } from './support.ts';

/**
 * The inbox's AI insights panel in a real browser against `switchboard start` (embedded and
 * production mode, the local provider): a conversation with no summary offers "Summarize"; the
 * summary, intent and sentiment appear; a new inbound message marks it out of date and "Update"
 * makes a new one; a viewer reads it without the button. The message history takes keyboard focus.
 */
const skip = !browserAvailable() && 'Chromium is not installed (apt-get install chromium)';
const AUTH_TOKEN = '5d4c3b2a19f8e7d6c5b4a39281706f5e';
let browser: Browser;
let s: DashboardServer;
let inboundUrl: string;

beforeAll(async () => {
  if (skip) return;
  [browser, s] = await Promise.all([launchBrowser(), startDashboardServer()]);
  const res = await api(s.url, s.apiKey, 'POST', '/v1/connections', { connector: 'twilio', name: 'AI insights Twilio', config: { accountSid: ACCOUNT_SID, fromNumbers: [OUR_NUMBER] }, secrets: { authToken: AUTH_TOKEN }, sandbox: true });
  assert.equal(res.status, 201, res.text);
  inboundUrl = res.json.inboundUrl;
});
afterAll(async () => {
  await browser?.close();
  await s?.close();
});

async function inboundSms(from: string, body: string) {
  const sid = 'SM' + crypto.randomBytes(16).toString('hex');
  const res = await postTwilio(inboundUrl, { MessageSid: sid, SmsSid: sid, AccountSid: ACCOUNT_SID, From: from, To: OUR_NUMBER, Body: body, NumMedia: '0' }, { token: AUTH_TOKEN });
  assert.equal(res.status, 200, res.text);
}

const row = (page: Page, label: string) => page.getByRole('region', { name: 'Conversations' }).getByRole('link', { name: new RegExp(label.replace('+', '\\+')) });
const panel = (page: Page) => page.getByRole('region', { name: 'AI insights' });

test.skipIf(skip)('Summarize shows summary, intent and sentiment; a new message marks it out of date and Update replaces it; a viewer reads it without the button; the history takes keyboard focus', async () => {
  const from = '+14155553101';
  await inboundSms(from, 'water is pouring through my ceiling in 4B!!');
  const { page, problems } = await signIn(browser, s.url, s.owner.email, s.owner.password);
  await row(page, from).click();
  const ai = panel(page);
  await ai.getByText('No summary yet.').waitFor();
  const conversationId = new URL(page.url()).pathname.split('/').pop()!;
  assert.equal((await api(s.url, s.apiKey, 'GET', `/v1/conversations/${conversationId}/enrichment`)).status, 404, 'nothing stored before Summarize');

  await ai.getByRole('button', { name: 'Summarize' }).click();
  await ai.getByLabel('Summary').getByText(/4B/).waitFor();
  await ai.getByText('Intent: emergency').waitFor();
  await ai.getByText(/Sentiment: negative \(-\d\.\d\d\)/).waitFor();
  await ai.getByText(/Local model/).waitFor();
  assert.equal(await ai.getByText('New messages since').count(), 0);
  const first = await api(s.url, s.apiKey, 'GET', `/v1/conversations/${conversationId}/enrichment`);
  assert.equal(first.status, 200, first.text);
  assert.equal(await ai.getByLabel('Summary').textContent(), first.json.summary, 'the panel shows the stored summary');
  await screenshot(page, `dashboard-ai-insights-${s.env.mode}`);
  await assertClean(page, problems, 'AI insights');

  // A new message arrives live: the summary is out of date until Update.
  await inboundSms(from, 'the plumber can come in through the side gate, code 4471');
  await page.getByRole('list', { name: 'Messages' }).getByText('side gate').waitFor();
  await ai.getByText('New messages since').waitFor();
  await ai.getByRole('button', { name: 'Update' }).click();
  await waitFor('the new version', async () => ((await api(s.url, s.apiKey, 'GET', `/v1/conversations/${conversationId}/enrichment`)).json.id !== first.json.id ? true : null), 10_000, 100);
  await waitFor('the stale mark gone', async () => ((await ai.getByText('New messages since').count()) === 0 ? true : null), 10_000, 50);
  const second = await api(s.url, s.apiKey, 'GET', `/v1/conversations/${conversationId}/enrichment`);
  assert.equal(await ai.getByLabel('Summary').textContent(), second.json.summary);

  // The message history is a focusable region: the keyboard can scroll it.
  const history = page.getByRole('region', { name: 'Message history' });
  await history.focus();
  assert.equal(await page.evaluate(`document.activeElement?.getAttribute('aria-label')`), 'Message history');
  await screenshot(page, `dashboard-ai-insights-updated-${s.env.mode}`);
  await assertClean(page, problems, 'AI insights updated');
  await page.context().close();

  const viewer = await s.addUser('viewer', 'Vic Viewer');
  const v = await signIn(browser, s.url, viewer.email, viewer.password);
  await row(v.page, from).click();
  await panel(v.page).getByLabel('Summary').waitFor();
  assert.equal(await panel(v.page).getByLabel('Summary').textContent(), second.json.summary);
  assert.equal(await panel(v.page).getByText(`Intent: ${second.json.intent.id.replace(/_/g, ' ')}`).count(), 1);
  for (const name of ['Summarize', 'Update']) assert.equal(await panel(v.page).getByRole('button', { name }).count(), 0, name);
  await assertClean(v.page, v.problems, 'AI insights, viewer');
  await v.page.context().close();
});
