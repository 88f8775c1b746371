import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { cliEnv, runCli, startCli, type CliEnv, type Server } from '../../cli/testing.ts';
import { axeViolations, browserAvailable, launchBrowser, newContext, watchPage, type PageProblems } from '../browser.ts';

/**
 * Dashboard browser tests: a real `switchboard start` (embedded, or production when the test
 * process has DATABASE_URL/REDIS_URL) and an org with an owner — in embedded mode the demo org of
 * the banner, in production mode (which creates no demo org) one made with `switchboard org create`
 * and `switchboard user create`, as an operator would — and a page signed in through the form.
 */
export interface DashboardServer {
  env: CliEnv;
  server: Server;
  url: string;
  orgId: string;
  apiKey: string;
  owner: { email: string; password: string };
  /** Another dashboard user of the org, through `switchboard user create`. */
  addUser(role: 'owner' | 'admin' | 'agent' | 'viewer', name?: string): Promise<{ email: string; password: string }>;
  close(): Promise<void>;
}

async function cli(env: CliEnv, args: string[]): Promise<any> {
  const r = await runCli([...args, '--json'], env.env, 120_000);
  assert.equal(r.code, 0, `switchboard ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

/** The org an operator would make in production mode: `org create`, then its owner with `user create`. */
async function createOrgWithOwner(env: CliEnv) {
  const { org, apiKey } = await cli(env, ['org', 'create', '--name', 'Dashboard test org']);
  const owner = { email: 'owner@dashboard-test.example', password: `pw-${crypto.randomUUID()}` };
  await cli(env, ['user', 'create', '--org', org.id, '--email', owner.email, '--role', 'owner', '--name', 'Demo owner', '--password', owner.password]);
  return { orgId: org.id as string, apiKey: apiKey as string, owner };
}

/**
 * The usual set-up of a dashboard browser test file: one Chromium and one `switchboard start` for
 * the whole file, closed after it. `skip` is the reason to skip when Chromium is missing (for
 * `test.skipIf`); `browser` and `s` are set once beforeAll has run, so read them inside tests.
 */
export function useDashboard(extraEnv: Record<string, string> = {}) {
  const d = {
    skip: !browserAvailable() && 'Chromium is not installed (apt-get install chromium)',
    browser: undefined as unknown as Browser,
    s: undefined as unknown as DashboardServer,
  };
  beforeAll(async () => {
    if (d.skip) return;
    [d.browser, d.s] = await Promise.all([launchBrowser(), startDashboardServer(extraEnv)]);
  });
  afterAll(async () => {
    await d.browser?.close();
    await d.s?.close();
  });
  return d;
}

/** `extraEnv`: settings the test needs the server to have (e.g. WEBHOOKS_ALLOW_PRIVATE for a local endpoint). */
export async function startDashboardServer(extraEnv: Record<string, string> = {}): Promise<DashboardServer> {
  const env = await cliEnv();
  Object.assign(env.env, extraEnv);
  const server = await startCli(env.env, 300_000);
  const out = server.stdout();
  let org: { orgId: string; apiKey: string; owner: { email: string; password: string } };
  if (env.mode === 'embedded') {
    const apiKey = /\s(sb_live_\S+)/.exec(out)?.[1];
    const orgId = /demo org "[^"]*" \(id ([0-9a-f-]{36})\)/.exec(out)?.[1];
    const owner = /Dashboard sign-in[^:]*:\s+(\S+@\S+)\s+(\S+)/.exec(out);
    assert.ok(apiKey && orgId && owner, `banner lacks the demo org, its API key or the owner's credentials:\n${out}`);
    org = { orgId, apiKey, owner: { email: owner[1]!, password: owner[2]! } };
  } else {
    org = await createOrgWithOwner(env);
  }
  let users = 0;
  return {
    env,
    server,
    url: server.url,
    ...org,
    async addUser(role, name) {
      const user = { email: `${role}-${++users}@dashboard-test.example`, password: `pw-${crypto.randomUUID()}` };
      await cli(env, ['user', 'create', '--org', org.orgId, '--email', user.email, '--role', role, '--name', name ?? `Test ${role}`, '--password', user.password]);
      return user;
    },
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

/** Answers the confirm step of a destructive action (ui/confirm.tsx) with its confirming button. */
export async function confirm(page: Page, action: string) {
  const dialog = page.getByRole('dialog');
  await dialog.getByRole('button', { name: action, exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
}
