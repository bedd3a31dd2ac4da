/**
 * The recovery steps, each bounded in time: a step that can wait forever (a reauthenticate
 * IBKR never completes, a login stuck on a 2FA prompt nobody approves) would stop the
 * keep-alive with it.
 */
import type { GatewayClient } from './gateway-client.js';
import { parseAuthStatus, reauthRefused } from './session-state.js';

export interface StepDeps {
  client: GatewayClient;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** False once the keeper stopped or the gateway went down: abandon the step. */
  alive: () => boolean;
}

export type ReauthResult =
  | 'ok'
  /** No SSO session (reauthenticate answers 200 `{"error":"not logged in"}`, or 401). */
  | 'no-sso'
  | 'rate-limited'
  | 'timeout'
  | 'failed'
  | 'aborted';

export interface ReauthOutcome { result: ReauthResult; ms: number; detail: string; polls: number }

/**
 * Asks for a new brokerage session on the live SSO session, then polls /iserver/auth/status
 * until authenticated or the deadline. `compete` uses ssodh/init with compete=true, which
 * takes the session over from another platform; plain reauthenticate never does.
 */
export async function reauthenticate(deps: StepDeps, opts: { compete: boolean; pollMs: number; timeoutMs: number; requestTimeoutMs: number }): Promise<ReauthOutcome> {
  const started = deps.now();
  const done = (result: ReauthResult, detail: string, polls = 0): ReauthOutcome => ({ result, ms: deps.now() - started, detail, polls });
  const path = opts.compete ? '/iserver/auth/ssodh/init?publish=true&compete=true' : '/iserver/reauthenticate';
  const first = await deps.client.call(path, { klass: 'reauth' });
  if (first.outcome === 'unauthorized') return done('no-sso', '401');
  if (first.outcome === 'rate-limited') return done('rate-limited', '429');
  if (first.outcome === 'timeout') return done('timeout', 'reauthenticate was not answered');
  if (first.outcome !== 'ok') return done('failed', `reauthenticate: ${first.outcome} ${first.status ?? ''}`.trim());
  const refused = reauthRefused(first.body);
  if (refused) return done(/not logged in/i.test(refused) ? 'no-sso' : 'failed', refused);
  const deadline = started + opts.timeoutMs;
  let polls = 0;
  let last = 'no answer yet';
  // The brokerage session comes up asynchronously (authDelay, ~3 s on the real gateway).
  while (deps.now() + opts.pollMs <= deadline) {
    await deps.sleep(opts.pollMs);
    if (!deps.alive()) return done('aborted', 'keeper stopped or gateway down', polls);
    polls++;
    const remaining = Math.max(1, deadline - deps.now());
    const s = await deps.client.call('/iserver/auth/status', { klass: 'auth', timeoutMs: Math.min(remaining, opts.requestTimeoutMs) });
    if (s.outcome === 'unauthorized') return done('no-sso', 'auth status 401', polls);
    if (s.outcome === 'rate-limited') return done('rate-limited', 'auth status 429', polls);
    if (s.outcome !== 'ok') { last = s.outcome; continue; }
    const status = parseAuthStatus(s.body);
    if (status.authenticated) return done('ok', 'authenticated', polls);
    last = status.fail ?? status.message ?? (status.competing ? 'competing' : 'not authenticated');
  }
  return done('failed', `not authenticated within ${opts.timeoutMs} ms (${last})`, polls);
}

/** Ends the SSO session before a restart, so IBKR does not count a stale session as competing. */
export async function logout(deps: StepDeps): Promise<string> {
  const r = await deps.client.call('/logout', { klass: 'auth' });
  return r.outcome;
}

export type LoginResult = 'ok' | 'rejected' | 'failed';

export interface LoginContext {
  baseUrl: string;
  /** The gateway's login page, `<baseUrl>/`. */
  loginUrl: string;
  /** 1 for the first attempt since the session was last authenticated. */
  attempt: number;
  reason: string;
  /** Aborted when the login takes longer than allowed or the keeper stops. */
  signal: AbortSignal;
}

/** A result with the reason in words (IBKR's text, what to install …) for the keeper's status and events. */
export interface LoginOutcome {
  result: LoginResult;
  detail: string;
}

export type LoginFunction = (ctx: LoginContext) => Promise<LoginResult | LoginOutcome>;

/** Runs a login function with a deadline; a throw or a timeout is a plain failure, never 'rejected'. */
export async function runLogin(
  login: LoginFunction,
  ctx: Omit<LoginContext, 'signal'>,
  timeoutMs: number,
  timers: { setTimeout: (fn: () => void, ms: number) => unknown; clearTimeout: (h: unknown) => void },
  outer?: AbortSignal,
): Promise<{ result: LoginResult | 'timeout' | 'error'; detail: string }> {
  const abort = new AbortController();
  const onOuter = (): void => abort.abort(new Error('keeper stopped'));
  outer?.addEventListener('abort', onOuter, { once: true });
  let timer: unknown;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = timers.setTimeout(() => { abort.abort(new Error('login timed out')); resolve('timeout'); }, timeoutMs);
  });
  try {
    const answer = await Promise.race([login({ ...ctx, signal: abort.signal }), deadline]);
    if (answer === 'timeout') return { result: answer, detail: `login took longer than ${timeoutMs} ms` };
    const [result, detail] = typeof answer === 'object' && answer !== null ? [answer.result, String(answer.detail)] : [answer, answer];
    if (result === 'ok' || result === 'rejected' || result === 'failed') return { result, detail };
    return { result: 'error', detail: `login function returned ${String(result)}` };
  } catch (err) {
    return { result: 'error', detail: (err as Error)?.message ?? String(err) };
  } finally {
    timers.clearTimeout(timer);
    outer?.removeEventListener('abort', onOuter);
  }
}
