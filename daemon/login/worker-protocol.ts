/**
 * What the daemon and its login worker say to each other over the IPC channel. The worker is a
 * short-lived Node process that loads playwright-core and drives the page; the daemon never
 * loads the browser driver itself (it would keep ~70 MB of compiled code for good). Credentials
 * travel only over this channel — never argv or the environment, which /proc shows.
 */
import type { LoginErrorTexts, LoginSelectors } from '../config/login-schema.js';

export interface PageCredentials {
  username: string;
  password: string;
  mode: 'paper' | 'live';
  totpSecret?: string;
}

export interface PageRequest {
  loginUrl: string;
  chromiumPath: string;
  /** The driver's switches, the SPKI pin and the configured extras. */
  chromiumArgs: string[];
  /** Fresh per attempt, under <dataDir>/login/; also the browser's HOME. */
  profileDir: string;
  /** Put in the browser's environment, so every process of the attempt can be found in /proc. */
  marker: string;
  /** Where to write the failure screenshot (0600); null: no screenshot. */
  screenshotPath: string | null;
  selectors: LoginSelectors;
  successText: string;
  paperWhenChecked: boolean;
  secondFactorOptions: { push: string; totp: string };
  errorTexts: LoginErrorTexts;
  pageLoadMs: number;
  stepMs: number;
  pushTimeoutMs: number;
  closeMs: number;
  credentials: PageCredentials;
}

export type SecondFactorSeen = 'none' | 'push' | 'totp';

export type PageOutcome =
  | { kind: 'success' }
  /** The page showed an error; the daemon classifies the text. */
  | { kind: 'error-text'; text: string; afterCode: boolean }
  | { kind: 'totp-missing' }
  | { kind: 'push-timeout' }
  /** The page did not show what the selectors expect in time. */
  | { kind: 'page'; detail: string }
  | { kind: 'browser'; detail: string }
  | { kind: 'driver-missing'; detail: string }
  | { kind: 'aborted' };

export interface PageReport {
  outcome: PageOutcome;
  secondFactor: SecondFactorSeen;
  screenshot: boolean;
  /** Checked right before the screenshot: every password field was empty. */
  passwordCleared: boolean | null;
}

export type ToWorker = { type: 'run'; request: PageRequest } | { type: 'abort' };

export type FromWorker =
  /** The browser's leader pid, which is also its process group (playwright starts it detached). */
  | { type: 'browser'; pid: number }
  | { type: 'push-pending' }
  | { type: 'done'; report: PageReport };
