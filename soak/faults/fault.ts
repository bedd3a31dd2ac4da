/**
 * What a fault is to the injector: a name, a weight in the schedule, what "recovered" means and
 * how long that may take, and the injection itself. A fault that lasts "for a while" returns
 * `heal` and `holdMs`: the injector ends it after the hold, and times the recovery from there.
 */
import type { ConfigFile } from '../config-file.js';
import type { DaemonApi } from '../daemon-api.js';
import type { GatewayAccess } from '../gateway-access.js';
import type { LoginInvariant } from '../invariants/login-invariant.js';
import type { Pm2 } from '../pm2.js';
import type { Prng } from '../prng.js';
import type { TwsSide } from '../tws-side.js';
import type { UpdateDaemon } from '../update-daemon.js';
import type { WebhookReceiver } from '../webhook-receiver.js';

/** Capabilities that land on main at different times; a fault needing one is left out until then. */
export type Capability = 'maintenance' | 'gatewayUpdates' | 'loginDriver' | 'passThrough' | 'ibGateway';

export interface Pace {
  /** Pause before each step. */
  gapMs(rng: Prng): number;
  /** How long a "for a while" fault lasts. */
  holdMs(rng: Prng): number;
  /** Share of steps that add a second fault while the first one is still on. */
  compound: number;
}

export interface SoakContext {
  api: DaemonApi;
  gateway: GatewayAccess;
  config: ConfigFile;
  receiver: WebhookReceiver;
  pm2: Pm2;
  logins: LoginInvariant;
  dataDir: string;
  pace: Pace;
  identity: { username: string; password: string; account: string };
  /** The clientportal-kind daemon beside the main one (update faults), when the run has one. */
  updates: UpdateDaemon | null;
  /** The IB Gateway kind's daemon beside the main one, with its invariants, when the run has one. */
  tws: TwsSide | null;
  /** The gateway's pid (= its process group) while it runs, from the daemon's status. */
  gatewayPid(): Promise<number | null>;
  /** The daemon's pid from <dataDir>/daemon.pid. */
  daemonPid(): number | null;
}

export interface Expectations {
  /** true: the fault must end in a new gateway process; false: the same one must survive it. */
  gatewayRestart?: boolean;
  /** true: the daemon itself is replaced (pm2 restarted it). */
  daemonRestart?: boolean;
  /** A further condition of "recovered"; returns what is still missing, or null once met. */
  extra?: () => Promise<string | null>;
}

export interface Injected {
  /** The parameters drawn, for the log and the report. */
  detail: string;
  holdMs?: number;
  /** Ends the fault; a string back is an expectation the daemon broke while it lasted. */
  heal?: () => Promise<string | void>;
  expect?: Expectations;
}

export interface Fault {
  name: string;
  /** Copies in each round of the schedule. */
  weight: number;
  /**
   * Drawn only in every n-th round (0, n, 2n …), for a fault that must stay rare: the daemon's own
   * kill -9 starts a new daemon, and only one that lives long can show whether its memory grows.
   */
  everyRounds?: number;
  /** What "recovered" means (README, report). */
  recovered: string;
  /** The recovery bound, from the fault's end (heal, or the injection for an instant fault). */
  boundMs: number;
  needs?: Capability;
  /**
   * The longest hold this fault can draw when it is longer than the pace's (a reset window to
   * the next minute): a step that could not end by the run's deadline is not started.
   */
  longestHoldMs?: number;
  /** May join another step as its second fault (short, and needing no set-up of its own). */
  joins?: boolean;
  inject(ctx: SoakContext, rng: Prng): Promise<Injected>;
  /**
   * Switches the fault off when its injection failed half-way: a control call that timed out
   * (the gateway was stopped) is still carried out once the gateway runs again. Best effort.
   */
  undo?(ctx: SoakContext): Promise<unknown>;
}

/**
 * What a fault acts on is gone (the gateway exited, its control channel closed): the first fault
 * of a compound step took it. For a step's first fault it is still a failure.
 */
export class TargetGone extends Error {}

/** A control-channel call that must be heard: a fault that was not injected is a soak bug, not a finding. */
export async function control(ctx: SoakContext, path: string, body: unknown = {}): Promise<void> {
  const r = await ctx.gateway.control('POST', path, body);
  if (r.status === 0) throw new TargetGone(`simulator control ${path}: ${r.error}`);
  if (r.status !== 200) throw new Error(`simulator control ${path}: ${r.status || r.error} ${r.text.slice(0, 200)}`);
}

export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
