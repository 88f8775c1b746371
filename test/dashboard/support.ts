import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { cliEnv, startCli, type CliEnv, type Server } from '../../cli/testing.ts';
import { axeViolations, newContext, watchPage, type PageProblems } from '../browser.ts';

/**
 * Dashboard browser tests: a real `switchboard start` (embedded, or production when the test
 * process has DATABASE_URL/REDIS_URL), its banner's demo API key and owner credentials, and a page
 * signed in through the sign-in form.
 */
export interface DashboardServer {
  env: CliEnv;
  server: Server;
  url: string;
  apiKey: string;
  owner: { email: string; password: string };
  close(): Promise<void>;
}

export async function startDashboardServer(): Promise<DashboardServer> {
  const env = await cliEnv();
  const server = await startCli(env.env, 300_000);
  const out = server.stdout();
  const apiKey = /\s(sb_live_\S+)/.exec(out)?.[1];
  const owner = /Dashboard sign-in[^:]*:\s+(\S+@\S+)\s+(\S+)/.exec(out);
  assert.ok(apiKey && owner, `banner lacks the API key or the owner's credentials:\n${out}`);
  return {
    env,
    server,
    url: server.url,
    apiKey,
    owner: { email: owner[1]!, password: owner[2]! },
    async close() {
      await server.stop();
      await env.dispose();
    },
  };
}

export async function signIn(browser: Browser, base: string, email: string, password: string): Promise<{ page: Page; problems: PageProblems }> {
  const context = await newContext(browser);
  const page = await context.newPage();
  const problems = watchPage(page);
  await page.goto(base + '/');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return { page, problems };
}

/** No serious/critical axe violation, no dialog, no CSP violation, no uncaught error. */
export async function assertClean(page: Page, problems: PageProblems, where: string) {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `axe on ${where}: ${JSON.stringify(violations, null, 1)}`);
  assert.deepEqual(problems, { dialogs: [], cspViolations: [], pageErrors: [] }, `problems on ${where}`);
}
