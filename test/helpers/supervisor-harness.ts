/**
 * Building a Supervisor for tests: short timers, a temp data dir, fixture launchers, and a
 * teardown that leaves no process behind even when the test failed half-way.
 */
import { join } from 'node:path';
import { packageRoot } from '../../daemon/package-root.js';
import { Supervisor, type SupervisorOptions, type TransitionEvent, type SupervisorState } from '../../daemon/supervisor/index.js';
import { freePort } from '../../testkit/ports.js';
import { groupPids, killQuietly } from './process-table.js';
import { tempDir, type Teardown } from './temp-dir.js';

export const FIXTURES = join(packageRoot, 'test', 'fixtures');

/**
 * Environment for fixture processes. NODE_OPTIONS is emptied: under tap it loads the TypeScript
 * loader and coverage hooks into every node a fixture starts, making each start seconds slower.
 */
export const FIXTURE_ENV = { NODE: process.execPath, NODE_OPTIONS: '' };
export const fixture = (name: string) => join(FIXTURES, name);

export interface Harness {
  sup: Supervisor;
  port: number;
  dataDir: string;
  transitions: TransitionEvent[];
  /** Resolves with the first transition (past or future) matching `pred`. */
  waitTransition(pred: (e: TransitionEvent) => boolean, timeoutMs?: number, what?: string): Promise<TransitionEvent>;
  waitState(state: SupervisorState, timeoutMs?: number): Promise<TransitionEvent>;
}

export type Overrides = Partial<Omit<SupervisorOptions, 'launch' | 'dataDir'>>;

export function baseOptions(dataDir: string, overrides: Overrides = {}): Omit<SupervisorOptions, 'launch'> {
  return {
    dataDir,
    startTimeoutMs: 2000,
    stopGraceMs: 300,
    readyProbeIntervalMs: 25,
    restart: { backoff: { initialMs: 50, maxMs: 400, factor: 2, jitter: 0 }, stableAfterMs: 60000, maxRestarts: 3, windowMs: 60000 },
    resources: { sampleIntervalMs: 200, memoryLimitMb: null },
    logs: { ringLines: 200, maxFileBytes: 1024 * 1024, maxFiles: 3 },
    random: () => 0.5,
    ...overrides,
  };
}

/** `env`: layered over FIXTURE_ENV in every launch. */
export async function harness(t: Teardown, command: (port: number) => string[], overrides: Overrides = {}, env: Record<string, string> = {}): Promise<Harness> {
  const port = await freePort();
  const dataDir = tempDir(t, 'ibgw-sup-');
  const transitions: TransitionEvent[] = [];
  const pgids = new Set<number>();
  const sup = new Supervisor({
    ...baseOptions(dataDir, overrides),
    launch: async () => ({ command: command(port), cwd: FIXTURES, env: { ...FIXTURE_ENV, ...env }, host: '127.0.0.1', port }),
  });
  sup.on('transition', (e) => {
    transitions.push(e);
    if (e.pid) pgids.add(e.pid);
  });
  sup.on('ready', (e) => pgids.add(e.pid));
  t.teardown(async () => {
    await sup.close().catch(() => {});
    // Whatever close() did, nothing of these groups may survive the test.
    for (const g of pgids) killQuietly({ groups: [g], pids: groupPids(g) });
  });
  const waitTransition = (pred: (e: TransitionEvent) => boolean, timeoutMs = 5000, what = 'transition') =>
    new Promise<TransitionEvent>((resolve, reject) => {
      const seen = transitions.find(pred);
      if (seen) return resolve(seen);
      const timer = setTimeout(() => {
        sup.off('transition', listener);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${transitions.map((e) => e.to).join(' → ')}`));
      }, timeoutMs);
      const listener = (e: TransitionEvent) => {
        if (!pred(e)) return;
        clearTimeout(timer);
        sup.off('transition', listener);
        resolve(e);
      };
      sup.on('transition', listener);
    });
  return {
    sup, port, dataDir, transitions, waitTransition,
    waitState: (state, timeoutMs) => waitTransition((e) => e.to === state, timeoutMs, `state ${state}`),
  };
}
