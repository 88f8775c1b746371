import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Browser-test support: Debian's Chromium driven by playwright-core (no browser download, ever),
 * axe-core run inside the page, screenshots under test-results/ (git-ignored), and a recorder of
 * what a page must never do (open a dialog, violate its Content-Security-Policy, throw).
 *
 * Servers under test are real `switchboard start` processes: see cliEnv/startCli in cli/testing.ts.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const RESULTS_DIR = path.join(ROOT, 'test-results');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const browserAvailable = () => fs.existsSync(CHROMIUM);

/** `extraArgs`: e.g. `--host-resolver-rules=MAP app.example.test 127.0.0.1` to open a custom domain locally. */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

export interface PageProblems {
  dialogs: string[];
  cspViolations: string[];
  pageErrors: string[];
}

/** Records dialogs (dismissed), CSP violations and uncaught errors; a test asserts they stay empty. */
export function watchPage(page: Page): PageProblems {
  const problems: PageProblems = { dialogs: [], cspViolations: [], pageErrors: [] };
  page.on('dialog', (d) => {
    problems.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss().catch(() => {});
  });
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) problems.cspViolations.push(m.text());
  });
  page.on('pageerror', (e) => problems.pageErrors.push(e.message));
  return problems;
}

/**
 * A full-page screenshot, taken from the top of the page: Chromium draws the whole document at
 * the current scroll position, so a sticky element (the dashboard's sidebar) scrolled along with
 * a test's clicks would land mid-page. The scroll position is put back for the test's next step.
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.png`);
  const at = (await page.evaluate('[window.scrollX, window.scrollY]')) as [number, number];
  await page.evaluate('window.scrollTo(0, 0)');
  await page.screenshot({ path: file, fullPage: true });
  await page.evaluate(`window.scrollTo(${at[0]}, ${at[1]})`);
  return file;
}

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core in the page and returns the serious and critical violations. The script is
 * evaluated through the DevTools protocol, which a strict CSP does not block (a <script> tag
 * would be), so the page under test keeps its real policy. `include` limits the check to a
 * selector (e.g. a custom element whose shadow root axe walks into).
 */
export async function axeViolations(page: Page, include?: string): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const result = await page.evaluate(async (sel) => {
    const axe = (window as any).axe;
    const r = await axe.run(sel ? { include: [sel] } : document, { resultTypes: ['violations'] });
    return r.violations.map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n: any) => String(n.target)) }));
  }, include ?? null);
  return (result as AxeViolation[]).filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** One browser per test file; a fresh context per test. */
export async function newContext(browser: Browser, options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
}
