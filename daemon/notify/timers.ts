/** Timers the notifier schedules with; tests inject a fake clock that fires them on demand. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

// setTimeout overflows above 2^31-1 ms (~24.8 days) and would fire at once: longer waits are
// clamped (a dedupe window of a month ends after 24.8 days; retries and digests re-check the clock).
const MAX_DELAY = 2_147_483_647;

/** Unref'd: a pending retry or quiet-hours digest never keeps the daemon's process alive by itself. */
export const realTimers: Timers = {
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, Math.max(0, Math.min(ms, MAX_DELAY)));
    handle.unref();
    return handle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};
