/**
 * The steps a person takes on IBKR's login page, done once per attempt: wait for the
 * script-rendered form, type the credentials, set the paper/live switch, submit, then follow
 * whatever the page shows — the second-factor device select, the code form (a TOTP from the
 * stored secret), the "check your phone" step (report it and wait), an error, or the final
 * `Client login succeeds`. Never a second submit: every retry brings an account closer to
 * IBKR's lock, and retrying is the keeper's decision, within its budget.
 */
import type { Page } from 'playwright-core';
import { describeState, probePage, type PageState, type ProbeArgs } from './page-probe.js';
import type { FromWorker, PageOutcome, PageRequest, SecondFactorSeen } from './worker-protocol.js';

export interface FlowDeps {
  report: (message: FromWorker) => void;
  signal: AbortSignal;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** The current code for a base32 secret. */
  totp: (secret: string) => Promise<string>;
}

export interface FlowResult {
  outcome: PageOutcome;
  secondFactor: SecondFactorSeen;
}

const POLL_MS = 100;

async function look(page: Page, args: ProbeArgs): Promise<PageState | null> {
  try {
    return await page.evaluate(probePage, args);
  } catch {
    // The page navigated (to the Dispatcher) between two looks: look again.
    return null;
  }
}

/** Credentials in, paper/live set, submitted. Returns an outcome only when it could not be done. */
async function submitCredentials(page: Page, req: PageRequest): Promise<PageOutcome | null> {
  const s = req.selectors;
  try {
    await page.goto(req.loginUrl, { waitUntil: 'domcontentloaded', timeout: req.pageLoadMs });
  } catch (err) {
    return { kind: 'page', detail: `the login page did not load: ${firstLine(err)}` };
  }
  try {
    await page.locator(s.username).first().waitFor({ state: 'visible', timeout: req.pageLoadMs });
  } catch {
    return { kind: 'page', detail: `no visible ${s.username} within ${req.pageLoadMs} ms` };
  }
  try {
    await page.locator(s.username).first().fill(req.credentials.username, { timeout: req.stepMs });
    await page.locator(s.password).first().fill(req.credentials.password, { timeout: req.stepMs });
    const paperSwitch = page.locator(s.paperSwitch).first();
    const wantChecked = (req.credentials.mode === 'paper') === req.paperWhenChecked;
    // IBKR's switch is an invisible checkbox under its label: a click on the label flips it.
    if ((await paperSwitch.count()) > 0 && (await paperSwitch.isChecked()) !== wantChecked) {
      await page.locator(s.paperSwitchLabel).first().click({ timeout: req.stepMs });
      if ((await paperSwitch.isChecked()) !== wantChecked) return { kind: 'page', detail: `${s.paperSwitchLabel} did not switch to ${req.credentials.mode}` };
    }
    await page.locator(s.submit).first().click({ timeout: req.stepMs });
  } catch (err) {
    return { kind: 'page', detail: `could not fill in and submit the form: ${firstLine(err)}` };
  }
  return null;
}

async function typeCode(page: Page, req: PageRequest, deps: FlowDeps): Promise<PageOutcome | null> {
  const s = req.selectors;
  try {
    await page.locator(s.codeInput).first().fill(await deps.totp(req.credentials.totpSecret!), { timeout: req.stepMs });
    const submit = page.locator(s.codeSubmit).first();
    if ((await submit.count()) > 0) await submit.click({ timeout: req.stepMs });
    else await page.locator(s.codeInput).first().press('Enter', { timeout: req.stepMs });
  } catch (err) {
    return { kind: 'page', detail: `could not submit the authenticator code: ${firstLine(err)}` };
  }
  return null;
}

export async function drivePage(page: Page, req: PageRequest, deps: FlowDeps): Promise<FlowResult> {
  let secondFactor: SecondFactorSeen = 'none';
  const done = (outcome: PageOutcome): FlowResult => ({ outcome: deps.signal.aborted ? { kind: 'aborted' } : outcome, secondFactor });
  const failed = await submitCredentials(page, req);
  if (failed) return done(failed);

  const args: ProbeArgs = { selectors: req.selectors, successText: req.successText };
  const wanted = req.credentials.totpSecret ? req.secondFactorOptions.totp : req.secondFactorOptions.push;
  let deadline = deps.now() + req.stepMs;
  let codeSent = false;
  let pushSince: number | null = null;
  let selected = false;
  let last: PageState | null = null;
  while (!deps.signal.aborted) {
    const state = await look(page, args);
    if (state) last = state;
    if (state?.success) return done({ kind: 'success' });
    if (state?.error) return done({ kind: 'error-text', text: state.error, afterCode: codeSent });
    if (state?.select && !selected && state.select.selected !== wanted && state.select.options.includes(wanted)) {
      // Several devices: choose the one we can answer (a TOTP secret → the authenticator app).
      selected = true;
      await page.selectOption(req.selectors.secondFactorSelect, { label: wanted }).catch(() => undefined);
      deadline = deps.now() + req.stepMs;
    } else if (state?.code && !codeSent) {
      secondFactor = 'totp';
      if (!req.credentials.totpSecret) return done({ kind: 'totp-missing' });
      const typed = await typeCode(page, req, deps);
      if (typed) return done(typed);
      codeSent = true;
      deadline = deps.now() + req.stepMs;
    } else if (state?.push && pushSince === null && !codeSent) {
      secondFactor = 'push';
      pushSince = deps.now();
      deps.report({ type: 'push-pending' });
      deadline = pushSince + req.pushTimeoutMs;
    }
    if (deps.now() > deadline) {
      if (pushSince !== null) return done({ kind: 'push-timeout' });
      return done({ kind: 'page', detail: `no next step, error or success within ${req.stepMs} ms (${describeState(last)})` });
    }
    await deps.sleep(POLL_MS);
  }
  return done({ kind: 'aborted' });
}

/** Playwright's messages carry a call log after the first line; the first line says what failed. */
export function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0]!.slice(0, 300);
}
