/**
 * The worker's request for one attempt, from the `login` config: the browser's switches (the
 * driver's own, then the certificate pin, then the configured extras), the page's selectors
 * and texts, the waits — and the credentials, which travel over the IPC channel only.
 */
import { spkiSwitch, type GatewayPin } from './certificate-pin.js';
import type { LoginConfig } from '../config/login-schema.js';
import type { PageCredentials, PageRequest } from './worker-protocol.js';

/** The driver's own switches (headless, no sandbox for root in containers, nothing phoning home). */
export const CHROMIUM_SWITCHES = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-extensions'];

/** A browser start may take long on a loaded machine; the page's own waits come on top. */
const BROWSER_START_ALLOWANCE_MS = 60_000;

export interface AttemptPlace {
  loginUrl: string;
  pin: GatewayPin;
  profileDir: string;
  marker: string;
  /** null: keep no screenshot. */
  screenshotPath: string | null;
  credentials: PageCredentials;
}

export function buildPageRequest(config: LoginConfig, place: AttemptPlace): PageRequest {
  return {
    loginUrl: place.loginUrl,
    chromiumPath: config.chromiumPath,
    chromiumArgs: [...CHROMIUM_SWITCHES, spkiSwitch(place.pin), ...config.chromiumArgs],
    profileDir: place.profileDir,
    marker: place.marker,
    screenshotPath: place.screenshotPath,
    selectors: config.selectors,
    successText: config.successText,
    paperWhenChecked: config.paperWhenChecked,
    secondFactorOptions: config.secondFactorOptions,
    errorTexts: config.errorTexts,
    pageLoadMs: config.timeouts.pageLoadMs,
    stepMs: config.timeouts.stepMs,
    pushTimeoutMs: config.pushTimeoutMs,
    closeMs: config.timeouts.closeMs,
    credentials: place.credentials,
  };
}

/** The longest an attempt may take in the worker whatever the page does: every wait once, steps a few times. */
export function attemptCapMs(config: LoginConfig): number {
  const t = config.timeouts;
  return BROWSER_START_ALLOWANCE_MS + t.pageLoadMs + t.stepMs * 4 + config.pushTimeoutMs + t.closeMs * 2;
}
