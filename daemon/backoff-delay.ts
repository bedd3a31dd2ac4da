import type { BackoffConfig } from './config/types.js';

/**
 * Delay before attempt `attempt` (1 = the first retry): initialMs × factor^(attempt-1),
 * jittered by ±jitter, capped at maxMs. Shared by gateway restarts and session recovery.
 *
 * Jitter keeps retries from landing in lock-step with whatever made the previous attempt fail
 * (a periodic job, IBKR's own reconnect timer, a second daemon behind the same account). The
 * cap applies after the jitter: maxMs is a promise to the operator, not a centre value.
 */
export function backoffDelay(config: BackoffConfig, attempt: number, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  // Math.min before multiplying: factor ** n overflows to Infinity after ~1000 failures.
  const base = Math.min(config.maxMs, config.initialMs * config.factor ** Math.min(n - 1, 64));
  const jitter = Math.max(0, Math.min(1, config.jitter));
  const spread = 1 + jitter * (2 * random() - 1);
  return Math.max(0, Math.round(Math.min(config.maxMs, base * spread)));
}
