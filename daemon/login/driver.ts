/**
 * The unattended login: the keeper's LoginFunction, done by driving the gateway's own login
 * page in headless Chromium. Per attempt: read the credentials, verify the gateway's
 * certificate with the daemon's CA and pin its key for the browser, start a worker process
 * that drives the page, then make sure every browser process is gone and the profile deleted
 * before anything else — success, failure, timeout or abort alike — and only then ask the
 * gateway whether the session is authenticated. Nothing is kept between attempts but the
 * screenshots of failures and the last attempt's summary.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ERR_LOGIN_BUSY, ERR_LOGIN_CERTIFICATE, ERR_LOGIN_LEFTOVER, ERR_LOGIN_NO_CREDENTIALS, ERR_LOGIN_NOT_AUTHENTICATED, isIbgwError, type IbgwError } from '../errors.js';
import { ignoreEvents, type EventSink } from '../events.js';
import { silentLogger, type Logger } from '../logger.js';
import { packagePath } from '../package-root.js';
import type { LoginContext, LoginFunction, LoginResult } from '../session/recovery.js';
import { confirmAuthenticated } from './auth-confirm.js';
import { browserAvailability } from './browser-availability.js';
import { browserProcesses, sweepBrowser, type BrowserIdentity } from './browser-processes.js';
import { blankAttempt, now, outcomeOf, type LoginAttempt } from './login-attempt.js';
import { pinGatewayCertificate, type GatewayPin } from './certificate-pin.js';
import type { LoginConfig } from '../config/login-schema.js';
import { scrub, verdictOf, type Verdict } from './login-outcome.js';
import { attemptCapMs, buildPageRequest } from './page-request.js';
import { keepScreenshot, screenshotName } from './screenshots.js';
import { runWorker, type WorkerRun } from './worker-process.js';
import type { PageCredentials } from './worker-protocol.js';

export type LoginCredentials = PageCredentials;
export type { LoginAttempt } from './login-attempt.js';

export interface LoginDriverOptions {
  config: LoginConfig;
  dataDir: string;
  /** The CA PEM the gateway is verified with (null: the system's CAs). */
  ca: () => Promise<string | null>;
  /** The vault's answer; null when nothing is stored. */
  credentials: () => Promise<LoginCredentials | null>;
  onEvent?: EventSink;
  logger?: Logger;
  /** Compiled worker entry; default dist/daemon/login/browser-worker.js. */
  workerPath?: string;
  /** Per auth/status call after the page said yes. Default 5000. */
  requestTimeoutMs?: number;
  authPollMs?: number;
}

interface Prepared {
  credentials: LoginCredentials;
  pin: GatewayPin;
}

interface Browsed {
  run: WorkerRun;
  browserPid: number | null;
  leftoversKilled: number;
  shotTemp: string;
  phases: LoginAttempt['phases'];
}

export class LoginDriver {
  /** The keeper's contract: the result and its reason in words. */
  readonly login: LoginFunction = async (ctx) => {
    const a = await this.attempt(ctx);
    return { result: a.result, detail: a.detail };
  };

  #config: LoginConfig;
  readonly #options: LoginDriverOptions;
  readonly #onEvent: EventSink;
  readonly #logger: Logger;
  readonly #dir: string;
  #current: { abort: AbortController; done: Promise<LoginAttempt> } | null = null;
  #last: LoginAttempt | null = null;

  constructor(options: LoginDriverOptions) {
    this.#options = options;
    this.#config = options.config;
    this.#onEvent = options.onEvent ?? ignoreEvents;
    this.#logger = options.logger ?? silentLogger;
    this.#dir = join(options.dataDir, 'login');
  }

  /** Removes what a crashed daemon may have left: browser processes and profile folders. */
  async start(): Promise<void> {
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    // Screenshots and browser profiles: the folder is the daemon user's alone, even if it existed before.
    chmodSync(this.#dir, 0o700);
    for (const name of readdirSync(this.#dir).filter((n) => n.startsWith('.shot-'))) rmSync(join(this.#dir, name), { force: true });
    for (const name of readdirSync(this.#dir).filter((n) => n.startsWith('browser-'))) {
      const profileDir = join(this.#dir, name);
      await sweepBrowser({ profileDir, marker: `none-${randomBytes(4).toString('hex')}` }, null, 0, this.#config.timeouts.closeMs, (ms) => delay(ms));
      rmSync(profileDir, { recursive: true, force: true });
    }
  }

  /** Aborts a running attempt and waits (bounded) until its browser is gone. */
  async stop(): Promise<void> {
    const current = this.#current;
    if (!current) return;
    current.abort.abort();
    await Promise.race([current.done.catch(() => undefined), delay(this.#config.timeouts.closeMs * 3)]);
  }

  /**
   * Whether a login can run at all: Chromium at login.chromiumPath and playwright-core installed.
   * Without them the daemon should not hand the keeper a login function — it would spend the
   * login budget on attempts that cannot work — but report `needs-login` with this error's words.
   */
  available(): Promise<IbgwError | null> {
    return browserAvailability(this.#config.chromiumPath);
  }

  /** Applies from the next attempt on. */
  reconfigure(next: LoginConfig): void {
    this.#config = next;
  }

  status(): { running: boolean; last: LoginAttempt | null } {
    return { running: this.#current !== null, last: this.#last };
  }

  async attempt(ctx: LoginContext): Promise<LoginAttempt> {
    if (this.#current) return this.#finish(this.#failed(ctx, now(), ERR_LOGIN_BUSY(), []));
    const abort = new AbortController();
    const onOuter = (): void => abort.abort();
    ctx.signal.addEventListener('abort', onOuter, { once: true });
    if (ctx.signal.aborted) abort.abort();
    const done = this.#run(ctx, abort.signal);
    this.#current = { abort, done };
    try {
      return this.#finish(await done);
    } finally {
      this.#current = null;
      ctx.signal.removeEventListener('abort', onOuter);
    }
  }

  async #run(ctx: LoginContext, signal: AbortSignal): Promise<LoginAttempt> {
    const started = now();
    const prepared = await this.#prepare(ctx);
    if ('result' in prepared) return this.#failed(ctx, started, prepared.error, []);
    const secrets = [prepared.credentials.password, prepared.credentials.totpSecret];
    const config = this.#config;
    const browsed = await this.#browse(ctx, prepared, signal);
    const { run } = browsed;
    const base = {
      attempt: ctx.attempt, at: started, secondFactor: run.report?.secondFactor ?? null, browserPid: browsed.browserPid,
      leftoversKilled: browsed.leftoversKilled, passwordCleared: run.report?.passwordCleared ?? null, phases: browsed.phases,
    };
    const outcome = outcomeOf(run, signal, secrets);
    if (outcome.kind === 'success') return this.#confirm(ctx, started, base, signal, secrets);
    const verdict = verdictOf(outcome, config.errorTexts, base.secondFactor ?? 'none', config.pushTimeoutMs);
    const screenshot = run.report?.screenshot ? this.#keepScreenshot(browsed.shotTemp, started, verdict) : null;
    rmSync(browsed.shotTemp, { force: true });
    const pageText = outcome.kind === 'error-text' ? scrub(outcome.text, secrets) : null;
    return { ...this.#failed(ctx, started, verdict.error, secrets, verdict.result), ...base, screenshot, pageText };
  }

  /** The page said `Client login succeeds`; the gateway has the last word. */
  async #confirm(ctx: LoginContext, started: number, base: Partial<LoginAttempt> & { phases: LoginAttempt['phases'] }, signal: AbortSignal, secrets: Array<string | undefined>): Promise<LoginAttempt> {
    const confirmStart = now();
    const confirmed = await confirmAuthenticated({
      baseUrl: ctx.baseUrl, ca: this.#options.ca, timeoutMs: this.#config.timeouts.authenticatedMs, pollMs: this.#options.authPollMs ?? 250,
      requestTimeoutMs: this.#options.requestTimeoutMs ?? 5000, sleep: (ms) => delay(ms), signal,
    });
    const phases = { ...base.phases, confirm: now() - confirmStart };
    if (confirmed === 'no-session') return { ...this.#failed(ctx, started, ERR_LOGIN_NOT_AUTHENTICATED('auth/status still answers 401'), secrets), ...base, phases };
    const detail = confirmed === 'authenticated' ? 'logged in; the brokerage session is authenticated' : 'logged in; the brokerage session is not authenticated yet (reauthenticate next)';
    return { ...blankAttempt(ctx, started), ...base, phases, result: 'ok', detail, authenticated: confirmed === 'authenticated' };
  }

  /** Credentials, browser and certificate: everything that can fail before a browser starts. */
  async #prepare(ctx: LoginContext): Promise<Prepared | { result: 'failed'; error: IbgwError }> {
    const fail = (error: IbgwError) => ({ result: 'failed' as const, error });
    let credentials: LoginCredentials | null;
    try {
      credentials = await this.#options.credentials();
    } catch (err) {
      // The vault's errors are its own catalog entries and name no secret; anything else is not repeated.
      return fail(isIbgwError(err) ? err : ERR_LOGIN_NO_CREDENTIALS('the credential store could not be read'));
    }
    if (!credentials) return fail(ERR_LOGIN_NO_CREDENTIALS('store them first (ibgw credentials set)'));
    if (!credentials.username || !credentials.password || (credentials.mode !== 'paper' && credentials.mode !== 'live')) {
      return fail(ERR_LOGIN_NO_CREDENTIALS('username, password and mode paper|live are all needed'));
    }
    const missing = await browserAvailability(this.#config.chromiumPath);
    if (missing) return fail(missing);
    try {
      return { credentials, pin: await pinGatewayCertificate(ctx.baseUrl, await this.#options.ca()) };
    } catch (err) {
      return fail(isIbgwError(err) ? err : ERR_LOGIN_CERTIFICATE(ctx.baseUrl, String(err)));
    }
  }

  /** The worker's run, then the sweep: whatever happened, no browser process outlives this. */
  async #browse(ctx: LoginContext, prepared: Prepared, signal: AbortSignal): Promise<Browsed> {
    const config = this.#config;
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    const profileDir = mkdtempSync(join(this.#dir, 'browser-'));
    const id: BrowserIdentity = { profileDir, marker: randomBytes(12).toString('hex') };
    const shotTemp = join(this.#dir, `.shot-${id.marker}.png`);
    const seen: { pid: number | null; at: number | null } = { pid: null, at: null };
    const started = now();
    try {
      const run = await runWorker({
        workerPath: this.#options.workerPath ?? packagePath('daemon', 'login', 'browser-worker.js'),
        request: buildPageRequest(config, {
          loginUrl: ctx.loginUrl, pin: prepared.pin, profileDir, marker: id.marker,
          screenshotPath: config.screenshotsKept > 0 ? shotTemp : null, credentials: prepared.credentials,
        }),
        signal,
        hardTimeoutMs: attemptCapMs(config),
        onBrowser: (pid) => Object.assign(seen, { pid, at: now() }),
        onPushPending: () => this.#event('login.push-pending', 'warn', `approve the login on your device (IBKR Mobile): waiting up to ${Math.round(config.pushTimeoutMs / 1000)} s`, { attempt: ctx.attempt, timeoutMs: config.pushTimeoutMs }),
      });
      const workerDone = now();
      const { leftoversKilled } = await this.#sweep(id, seen.pid);
      const phases = {
        browserStart: seen.at === null ? null : seen.at - started, page: seen.at === null ? null : workerDone - seen.at, sweep: now() - workerDone, confirm: null,
      };
      return { run, browserPid: seen.pid, leftoversKilled, shotTemp, phases };
    } finally {
      // A second sweep costs one /proc scan and covers a throw anywhere above.
      if (browserProcesses(id).length > 0) await this.#sweep(id, seen.pid);
      rmSync(profileDir, { recursive: true, force: true });
    }
  }

  async #sweep(id: BrowserIdentity, pgid: number | null): Promise<{ leftoversKilled: number }> {
    const swept = await sweepBrowser(id, pgid, 1000, this.#config.timeouts.closeMs, (ms) => delay(ms));
    if (swept.killed.length > 0) this.#logger.debug({ pids: swept.killed }, 'login: browser processes killed after the attempt');
    if (swept.survivors.length > 0) {
      const err = ERR_LOGIN_LEFTOVER(swept.survivors.join(', '));
      this.#event('login.leftover', 'error', err.message, { code: err.code, pids: swept.survivors });
    }
    return { leftoversKilled: swept.killed.length };
  }

  #keepScreenshot(tempPath: string, at: number, verdict: Verdict): string | null {
    if (!existsSync(tempPath)) return null;
    try {
      return keepScreenshot(this.#dir, tempPath, screenshotName(at, verdict.error.code), this.#config.screenshotsKept);
    } catch (err) {
      this.#logger.warn({ err: (err as Error).message }, 'login: cannot keep the failure screenshot');
      return null;
    }
  }

  #failed(ctx: LoginContext, started: number, error: IbgwError, secrets: Array<string | undefined>, result: LoginResult = 'failed'): LoginAttempt {
    error.message = scrub(error.message, secrets);
    return { ...blankAttempt(ctx, started), result, error, detail: `${error.message} [${error.code}]` };
  }

  #finish(a: LoginAttempt): LoginAttempt {
    this.#last = a;
    const data = { attempt: a.attempt, result: a.result, code: a.error?.code ?? null, ms: a.ms, secondFactor: a.secondFactor, screenshot: a.screenshot, authenticated: a.authenticated, phases: a.phases };
    if (a.result === 'ok') this.#event('login.succeeded', 'info', a.detail, data);
    else this.#event('login.failed', a.result === 'rejected' ? 'error' : 'warn', a.detail, data);
    this.#logger.info(data, `login attempt ${a.attempt}: ${a.result}`);
    return a;
  }

  #event(type: string, level: 'info' | 'warn' | 'error', message: string, data: Record<string, unknown>): void {
    this.#onEvent({ type, level, message, data });
  }
}
