/**
 * One login attempt inside the worker: start Chromium, drive the page, keep a screenshot of a
 * failure (password field emptied first), close. The browser gets a fresh profile folder as
 * its HOME and a minimal environment — never the daemon's, which may hold ENCRYPTION_KEY — and
 * the attempt's marker, by which the daemon finds every process of it afterwards.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { attemptTmpDir, findBrowserLeader, LOGIN_MARKER_ENV } from './browser-processes.js';
import { drivePage, firstLine, type FlowDeps } from './page-flow.js';
import type { FromWorker, PageReport, PageRequest } from './worker-protocol.js';

/** A browser start is not the page's fault; on a loaded machine it can take seconds. The attempt's hard cap still applies. */
const LAUNCH_TIMEOUT_MS = 60_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function browserEnv(req: PageRequest): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: req.profileDir,
    XDG_CONFIG_HOME: join(req.profileDir, '.config'),
    XDG_CACHE_HOME: join(req.profileDir, '.cache'),
    TMPDIR: attemptTmpDir(req.profileDir),
    LANG: 'C.UTF-8',
    [LOGIN_MARKER_ENV]: req.marker,
  };
}

async function totpNow(secret: string): Promise<string> {
  const { TOTP, Secret } = await import('otpauth');
  return new TOTP({ secret: Secret.fromBase32(secret.replace(/\s+/g, '')), algorithm: 'SHA1', digits: 6, period: 30 }).generate();
}

/**
 * Empties every password (and code) field, checks it worked, then screenshots. A page whose
 * password field cannot be emptied gets no screenshot at all.
 */
async function failureScreenshot(page: Page, req: PageRequest): Promise<{ written: boolean; passwordCleared: boolean | null }> {
  if (!req.screenshotPath) return { written: false, passwordCleared: null };
  const fields = ['input[type="password"]', req.selectors.password, req.selectors.codeInput];
  const cleared = await page.evaluate((selectors) => {
    const found: HTMLInputElement[] = [];
    for (const selector of selectors) {
      try {
        found.push(...Array.from(document.querySelectorAll<HTMLInputElement>(selector)));
      } catch {
        // a bad selector in the config
      }
    }
    for (const input of found) input.value = '';
    return found.every((input) => input.value === '');
  }, fields).catch(() => null);
  if (cleared !== true) return { written: false, passwordCleared: cleared };
  try {
    const png = await page.screenshot({ type: 'png', fullPage: true, timeout: 5000 });
    writeFileSync(req.screenshotPath, png, { mode: 0o600 });
    return { written: true, passwordCleared: true };
  } catch {
    return { written: false, passwordCleared: true };
  }
}

async function closeBounded(context: BrowserContext, leader: number | null, closeMs: number): Promise<void> {
  const closed = await Promise.race([context.close().then(() => true, () => true), sleep(closeMs).then(() => false)]);
  if (!closed && leader !== null) {
    try {
      process.kill(-leader, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export async function runAttempt(req: PageRequest, send: (message: FromWorker) => void, signal: AbortSignal): Promise<PageReport> {
  let playwright: typeof import('playwright-core');
  try {
    playwright = await import('playwright-core');
  } catch (err) {
    return { outcome: { kind: 'driver-missing', detail: firstLine(err) }, secondFactor: 'none', screenshot: false, passwordCleared: null };
  }
  let context: BrowserContext;
  try {
    context = await playwright.chromium.launchPersistentContext(req.profileDir, {
      executablePath: req.chromiumPath,
      headless: true,
      args: req.chromiumArgs,
      env: browserEnv(req),
      timeout: LAUNCH_TIMEOUT_MS,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      acceptDownloads: false,
      serviceWorkers: 'block',
      viewport: { width: 900, height: 760 },
    });
  } catch (err) {
    return { outcome: { kind: 'browser', detail: firstLine(err) }, secondFactor: 'none', screenshot: false, passwordCleared: null };
  }
  const leader = findBrowserLeader(process.pid, req.profileDir);
  if (leader !== null) send({ type: 'browser', pid: leader });
  const onAbort = () => void context.close().catch(() => undefined);
  signal.addEventListener('abort', onAbort, { once: true });
  if (signal.aborted) onAbort(); // aborted while the browser was starting
  let report: PageReport;
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const deps: FlowDeps = { report: send, signal, sleep, now: Date.now, totp: totpNow };
    const flow = await drivePage(page, req, deps);
    const { outcome } = flow;
    const shot = outcome.kind === 'success' || outcome.kind === 'aborted' ? { written: false, passwordCleared: null } : await failureScreenshot(page, req);
    report = { outcome, secondFactor: flow.secondFactor, screenshot: shot.written, passwordCleared: shot.passwordCleared };
  } catch (err) {
    report = { outcome: signal.aborted ? { kind: 'aborted' } : { kind: 'browser', detail: firstLine(err) }, secondFactor: 'none', screenshot: false, passwordCleared: null };
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  await closeBounded(context, leader, req.closeMs);
  return report;
}
