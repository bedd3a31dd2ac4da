/**
 * One headless Chromium (Debian's, never a downloaded one) per test file, and what the admin
 * UI's browser tests share: signing in, screenshots under test-artifacts/ui/, an axe scan, and
 * the CSP violations and page errors a page reported.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { packageRoot } from '../../daemon/package-root.js';
import { CHROMIUM, CHROMIUM_ARGS } from './browser.js';
import type { Teardown } from './temp-dir.js';

export const ARTIFACTS = join(packageRoot, 'test-artifacts', 'ui');
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 375, height: 740 };

export async function launchBrowser(t: Teardown): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
  t.teardown(() => browser.close());
  return browser;
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** CSP violations ("blocked-uri directive") and uncaught page errors since the page opened. */
  problems(): Promise<string[]>;
}

/** What openPage needs of a test: its teardown, whether it failed, and a place to say so. */
export interface PageTest extends Teardown {
  passing(): boolean;
  comment(...message: unknown[]): void;
  readonly name: string;
}

/**
 * A page that records CSP violations (from inside the page: the console does not say them all)
 * and uncaught errors. Its context closes with the test; a failed test first keeps a screenshot
 * (failed-<test>.png) and prints the page's address and text, so a failure seen only in CI says
 * what the browser showed.
 */
export async function openPage(t: PageTest, browser: Browser, viewport = DESKTOP): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport });
  t.teardown(async () => {
    if (!t.passing()) await keepFailure(t, context);
    await context.close();
  });
  // Injected by the browser itself, not by the page: the CSP does not apply to it.
  await context.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.blockedURI || 'inline'} ${e.violatedDirective}`));
  });
  // The tests run under tsx, whose compiler keeps function names by wrapping a named inner
  // function in __name(fn, "name"); a function handed to page.evaluate carries that call into
  // the page, which has no such helper.
  await context.addInitScript('globalThis.__name = (fn) => fn;');
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  return {
    page,
    context,
    async problems() {
      const csp = await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []).catch(() => []);
      return [...csp.map((c) => `CSP violation: ${c}`), ...errors];
    },
  };
}

async function keepFailure(t: PageTest, context: BrowserContext): Promise<void> {
  for (const page of context.pages()) {
    try {
      const name = `failed-${t.name.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 60)}`;
      const path = await screenshot(page, name);
      const text = await page.evaluate(() => document.body.innerText);
      t.comment(`browser at ${page.url()} (screenshot ${path}) shows:\n${text.slice(0, 2000)}`);
    } catch (err) {
      t.comment(`no screenshot of the failed page: ${(err as Error).message}`);
    }
  }
}

export async function signIn(page: Page, apiUrl: string, token: string): Promise<void> {
  await page.goto(`${apiUrl}/`);
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

let axeSource: string | null = null;

/**
 * axe-core's serious and critical findings, one line each (rule, what, where). axe goes into the
 * page once and runs there: the UI is one document whose pages change the address's hash, so it
 * stays between pages. (@axe-core/playwright's builder injects it into every frame on each call
 * and finishes each scan in a new blank page: 1–2 s a scan, against 0.1–0.5 s this way.) The UI
 * has no frames; should it get one, this says so instead of leaving it unscanned.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  if (page.frames().length > 1) throw new Error(`accessibilityProblems scans one document; ${page.url()} has ${page.frames().length - 1} frame(s)`);
  if (!(await page.evaluate(() => 'axe' in window))) {
    axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    await page.evaluate(axeSource);
  }
  const results = await page.evaluate(() => (window as unknown as { axe: typeof import('axe-core') }).axe.run(document, { resultTypes: ['violations'] }));
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

/** Waits until a page shows no "Loading…" (its first answers are in). */
export async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => !document.body.innerText.includes('Loading…'), undefined, { timeout: 20_000 });
}
