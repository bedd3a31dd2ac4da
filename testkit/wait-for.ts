/**
 * Waiting on a real condition with a deadline: tests and benchmarks poll state (a file, a port,
 * a status field), never sleep a fixed time. Shared by test/ and bench/; imports nothing.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** What `check` returns while the condition does not hold yet. */
export type NotYet = undefined | null | false;

/**
 * Calls `check` every `intervalMs` until it returns something other than `undefined`, `null`
 * or `false`, and resolves with that value — so `0`, `''` and `true` all count as an answer,
 * and the result type says exactly what it can be.
 *
 * A `check` that throws ends the wait at once with its error: a process that died is a failure
 * now, not after the deadline. A check that may meet a passing error (a connection refused
 * while a server restarts, a file not written yet) catches it and returns `null`.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
  intervalMs = 20,
): Promise<Exclude<T, NotYet>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== null && value !== false) return value as Exclude<T, NotYet>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
