/**
 * Ready = the gateway's port accepts a TCP connection.
 *
 * The real gateway prints its "Open https://localhost:5000 to login" banner before, and
 * whether or not, its listener opens (a bad keystore leaves it alive and silent), so nothing
 * it writes can be trusted as a readiness signal; only an accepted connection can.
 */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** One attempt: true when a connection was accepted within `timeoutMs`. */
export function probePort(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    // A filtered port never answers the SYN: without this the attempt would hang for minutes.
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface WaitForPortOptions {
  host: string;
  port: number;
  timeoutMs: number;
  intervalMs: number;
  /** Aborted when the process exits or a stop is requested: no point probing any longer. */
  signal: AbortSignal;
}

export type ReadyOutcome = 'ready' | 'timeout' | 'aborted';

export async function waitForPort(options: WaitForPortOptions): Promise<ReadyOutcome> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (options.signal.aborted) return 'aborted';
    const left = deadline - Date.now();
    if (left <= 0) return 'timeout';
    // Cap one attempt so a hanging connect cannot overrun the start timeout.
    if (await probePort(options.host, options.port, Math.max(50, Math.min(left, 1000)))) {
      return options.signal.aborted ? 'aborted' : 'ready';
    }
    const pause = Math.min(options.intervalMs, deadline - Date.now());
    if (pause > 0) {
      try {
        await sleep(pause, undefined, { signal: options.signal });
      } catch {
        return 'aborted';
      }
    }
  }
}
