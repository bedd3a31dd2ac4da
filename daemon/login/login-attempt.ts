/**
 * What one login attempt came to — the record the driver returns, reports and keeps as `last`
 * — and the small steps that build it. Never a secret in it: texts from the page and the
 * worker pass through `scrub` first.
 */
import type { IbgwError } from '../errors.js';
import type { LoginContext, LoginResult } from '../session/recovery.js';
import { scrub } from './login-outcome.js';
import type { WorkerRun } from './worker-process.js';
import type { PageOutcome, SecondFactorSeen } from './worker-protocol.js';

export interface LoginAttempt {
  result: LoginResult;
  /** Why it was not ok (a catalog error: its code is stable); null for ok. */
  error: IbgwError | null;
  /** For the keeper's status and events; never a secret. */
  detail: string;
  /** The login page's own error text, as shown (IBKR's words), when it showed one. */
  pageText: string | null;
  attempt: number;
  at: number;
  ms: number;
  secondFactor: SecondFactorSeen | null;
  /** auth/status said authenticated before the driver returned. */
  authenticated: boolean;
  /** File name in <dataDir>/login/, for failures. */
  screenshot: string | null;
  passwordCleared: boolean | null;
  browserPid: number | null;
  /** Browser processes still alive after the worker ended, killed by the sweep. */
  leftoversKilled: number;
  /** Where the time went (ms): until the browser ran, the page's steps and close, the sweep, the auth/status confirmation. */
  phases: { browserStart: number | null; page: number | null; sweep: number | null; confirm: number | null };
}

/** What the worker reported, or why it reported nothing (its last stderr line, scrubbed). */
export function outcomeOf(run: WorkerRun, signal: AbortSignal, secrets: Array<string | undefined>): PageOutcome {
  if (run.report) return run.report.outcome;
  if (signal.aborted) return { kind: 'aborted' };
  const last = run.stderr.trim().split('\n').pop();
  return { kind: 'browser', detail: scrub(`${run.failure}${last ? `: ${last}` : ''}`, secrets) };
}

export const now = (): number => Date.now();

/** An attempt with nothing known yet; `ms` counts up to the moment it is made. */
export function blankAttempt(ctx: LoginContext, started: number): LoginAttempt {
  return {
    result: 'failed', error: null, detail: '', pageText: null, attempt: ctx.attempt, at: started, ms: now() - started, secondFactor: null, authenticated: false,
    screenshot: null, passwordCleared: null, browserPid: null, leftoversKilled: 0, phases: { browserStart: null, page: null, sweep: null, confirm: null },
  };
}

