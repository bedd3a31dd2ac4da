/**
 * A SessionKeeper wired to a real simulated gateway (test/helpers/sim.ts) with short timers.
 * The `gateway` it is given stands in for the supervisor: restart() records the reason and,
 * like a real restart, clears the simulator's faults (a restarted JVM is no longer hung).
 */
import type { SessionConfig } from '../../daemon/config/types.js';
import type { ServiceEvent } from '../../daemon/events.js';
import { SessionKeeper } from '../../daemon/session/keeper.js';
import type { SessionKeeperOptions } from '../../daemon/session/keeper-types.js';
import { waitFor } from '../../testkit/wait-for.js';
import { startSim, type Sim, type StartSimOptions } from './sim.js';
import type { Teardown } from './temp-dir.js';

export function fastSessionConfig(over: Partial<SessionConfig> = {}): SessionConfig {
  return {
    enabled: true,
    tickleIntervalMs: 150,
    requestTimeoutMs: 300,
    hangThreshold: 2,
    livenessIntervalMs: 100,
    livenessTimeoutMs: 300,
    handshakeTimeoutMs: 0,
    suspectProbeMs: 20,
    hangStopGraceMs: 300,
    authCheckIntervalMs: 0,
    loginTimeoutMs: 240_000,
    reauthTimeoutMs: 2000,
    reauthPollMs: 50,
    maxRecoveryAttempts: 3,
    recoveryBackoff: { initialMs: 100, maxMs: 400, factor: 2, jitter: 0 },
    loginBudget: { perDay: 5, perHour: 2 },
    competing: 'report',
    penaltyBoxMs: 1500,
    resets: { region: 'north-america', daily: null, weekly: null },
    ...over,
  };
}

/** A simulator whose pacing limits are off unless a test asks for them (fast timers would trip them). */
export async function startTestSim(t: Teardown, options: StartSimOptions = {}): Promise<Sim> {
  return startSim(t, { ...options, simConfig: { rateLimits: { globalPerSec: 0, perEndpoint: { '/tickle': null } }, ...options.simConfig } });
}

export interface FakeGateway {
  running: boolean;
  ready: boolean;
  restarts: string[];
  isRunning(): boolean;
  isReady(): boolean;
  restart(reason: string): Promise<void>;
}

export function fakeGateway(sim: Sim): FakeGateway {
  const g: FakeGateway = {
    running: true,
    ready: true,
    restarts: [],
    isRunning: () => g.running,
    isReady: () => g.ready,
    async restart(reason: string) {
      g.restarts.push(reason);
      await sim.control('/reset', {});
    },
  };
  return g;
}

export interface Harness {
  keeper: SessionKeeper;
  gateway: FakeGateway;
  events: ServiceEvent[];
  sim: Sim;
}

export function startKeeper(
  t: Teardown,
  sim: Sim,
  config: Partial<SessionConfig> = {},
  options: Partial<SessionKeeperOptions> = {},
): Harness {
  const gateway = fakeGateway(sim);
  const events: ServiceEvent[] = [];
  const keeper = new SessionKeeper({
    config: fastSessionConfig(config),
    baseUrl: () => sim.baseUrl,
    ca: async () => sim.ca,
    gateway,
    onEvent: (e) => events.push(e),
    gatewayPollMs: 50,
    minTickleGapMs: 50,
    ...options,
  });
  t.teardown(() => keeper.stop());
  keeper.start();
  return { keeper, gateway, events, sim };
}

/** Waits until the keeper reports `state`; returns when (Date.now()). */
export async function waitState(h: Harness, state: string, timeoutMs = 8000): Promise<number> {
  await waitFor(() => h.keeper.status().state === state, timeoutMs, `session state ${state} (now ${h.keeper.status().state}: ${h.keeper.status().reason})`, 5);
  return Date.now();
}
