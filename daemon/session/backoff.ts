import type { BackoffConfig } from '../config/types.js';

/**
 * Delay before recovery attempt `attempt` (1 = the first retry): initial × factor^(attempt-1),
 * capped, with jitter so two daemons behind one account don't retry in lockstep.
 */
export function backoffDelay(config: BackoffConfig, attempt: number, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  const base = Math.min(config.maxMs, config.initialMs * Math.pow(config.factor, n - 1));
  const jitter = Math.min(1, Math.max(0, config.jitter));
  const factor = 1 - jitter + 2 * jitter * random();
  return Math.max(0, Math.round(Math.min(config.maxMs * (1 + jitter), base * factor)));
}
