/**
 * What an attempt's end means for the keeper. `rejected` stops automated logins until the
 * credentials change or an operator clears the block; it is kept for answers a retry cannot
 * change and that each retry makes worse: a wrong password or code (IBKR's lock counts them),
 * a locked account, a push a person denied (retrying would mean more pushes to their phone —
 * the "15–20 prompts" complaint), and an account that needs a code we have no secret for.
 * Everything else is `failed`: the keeper retries within its budget.
 */
import {
  ERR_LOGIN_ABORTED, ERR_LOGIN_BROWSER_FAILED, ERR_LOGIN_CODE_REJECTED, ERR_LOGIN_DRIVER_MISSING, ERR_LOGIN_EXPIRED,
  ERR_LOGIN_LOCKED, ERR_LOGIN_PAGE, ERR_LOGIN_PUSH_DENIED, ERR_LOGIN_PUSH_TIMEOUT, ERR_LOGIN_REJECTED,
  ERR_LOGIN_TOTP_MISSING, ERR_LOGIN_UNRECOGNISED, type IbgwError,
} from '../errors.js';
import type { LoginResult } from '../session/recovery.js';
import type { LoginErrorTexts } from '../config/login-schema.js';
import type { PageOutcome, SecondFactorSeen } from './worker-protocol.js';

export interface Verdict {
  result: LoginResult;
  error: IbgwError;
}

function matches(text: string, fragments: string[]): boolean {
  const lower = text.toLowerCase();
  return fragments.some((f) => lower.includes(f.toLowerCase()));
}

/** IBKR's error text → verdict, by the configured fragments (first list that matches wins). */
export function classifyPageError(text: string, texts: LoginErrorTexts, step: { secondFactor: SecondFactorSeen; afterCode: boolean }): Verdict {
  if (matches(text, texts.locked)) return { result: 'rejected', error: ERR_LOGIN_LOCKED(text) };
  if (matches(text, texts.denied)) return { result: 'rejected', error: ERR_LOGIN_PUSH_DENIED(text) };
  if (matches(text, texts.expired)) {
    return { result: 'failed', error: step.secondFactor === 'push' ? ERR_LOGIN_PUSH_TIMEOUT(text) : ERR_LOGIN_EXPIRED(text) };
  }
  // After a code, IBKR's generic "invalid" means the code, not the password (already accepted).
  if (matches(text, texts.codeRejected) || (step.afterCode && matches(text, texts.rejected))) return { result: 'rejected', error: ERR_LOGIN_CODE_REJECTED(text) };
  if (matches(text, texts.rejected)) return { result: 'rejected', error: ERR_LOGIN_REJECTED(text) };
  return { result: 'failed', error: ERR_LOGIN_UNRECOGNISED(text) };
}

/** Every outcome but success; success is confirmed against the gateway by the driver. */
export function verdictOf(outcome: Exclude<PageOutcome, { kind: 'success' }>, texts: LoginErrorTexts, secondFactor: SecondFactorSeen, pushTimeoutMs: number): Verdict {
  switch (outcome.kind) {
    case 'error-text': return classifyPageError(outcome.text, texts, { secondFactor, afterCode: outcome.afterCode });
    case 'totp-missing': return { result: 'rejected', error: ERR_LOGIN_TOTP_MISSING() };
    case 'push-timeout': return { result: 'failed', error: ERR_LOGIN_PUSH_TIMEOUT(`no approval within ${pushTimeoutMs} ms`) };
    case 'page': return { result: 'failed', error: ERR_LOGIN_PAGE(outcome.detail) };
    case 'browser': return { result: 'failed', error: ERR_LOGIN_BROWSER_FAILED(outcome.detail) };
    case 'driver-missing': return { result: 'failed', error: ERR_LOGIN_DRIVER_MISSING(outcome.detail) };
    case 'aborted': return { result: 'failed', error: ERR_LOGIN_ABORTED('the keeper stopped or the login took too long') };
  }
}

/** Removes every occurrence of the secrets from a text bound for logs, events or the API. */
export function scrub(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of new Set([secret, secret.replace(/\s+/g, ''), encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)])) {
      if (form) out = out.split(form).join('[redacted]');
    }
  }
  return out;
}
