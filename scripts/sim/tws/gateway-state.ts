/**
 * What the simulated IB Gateway knows at run time, shared by the API port, the IBC command
 * server and the control channel: the login, the faults, the farms, and the API clients
 * connected (connectivity notices go to every one of them, as TWS broadcasts them).
 */
import type { IbcSettings } from './settings.js';
import type { TwsSimConfig } from './sim-config.js';
import { FARMS, farmNotice, NOTICE, type FarmName } from './messages.js';

export type LoginState = 'logged-out' | 'logging-in' | 'second-factor' | 'logged-in';

/** The part of an API connection the state broadcasts to. */
export interface NoticeTarget {
  readonly clientId: number | null;
  readonly peer: string;
  notice(code: number, text: string): void;
}

/** IBC's console format: `2024-01-31 09:30:00:123 IBC: message`. */
export function ibcLine(message: string, now = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${now.getFullYear()}-${p(now.getMonth() + 1)}-${p(now.getDate())} ${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())}:${p(now.getMilliseconds(), 3)}`;
  return `${stamp} IBC: ${message}`;
}

export class GatewayState {
  loginState: LoginState = 'logged-out';
  accounts: string[] = [];
  paper = true;
  username = '';
  readOnly: boolean;
  apiPort: number | null = null;
  commandPort: number | null = null;
  nextOrderId = 1;
  readonly faults = { hang: false, unreachable: false };
  readonly farms: Record<FarmName, boolean> = { usfarm: true, ushmds: true, secdefil: true };
  readonly counters = new Map<string, number>();
  readonly connections = new Set<NoticeTarget>();
  /** Set while a second factor waits: the control channel's approval resolves it. */
  approveSecondFactor: (() => void) | null = null;

  constructor(readonly settings: IbcSettings, readonly sim: TwsSimConfig, readonly settingsDir: string, readonly log: (line: string) => void) {
    // Unset means "leave the gateway's own setting", and a fresh IB Gateway starts read-only.
    this.readOnly = settings.readOnlyApi ?? true;
  }

  ibc(message: string): void {
    this.log(ibcLine(message));
  }

  /** IBC's error format: the message between two rows of exclamation marks. */
  ibcError(message: string): void {
    const bar = '!'.repeat(79);
    this.log(bar);
    this.ibc(message);
    this.log(bar);
  }

  count(what: string): void {
    this.counters.set(what, (this.counters.get(what) ?? 0) + 1);
  }

  clientIdInUse(clientId: number): boolean {
    return [...this.connections].some((c) => c.clientId === clientId);
  }

  broadcast(code: number, text: string): void {
    for (const c of this.connections) c.notice(code, text);
  }

  /** The notices a client gets right after START_API: one per farm, and 1100 during an outage. */
  greetingNotices(): Array<{ code: number; text: string }> {
    const out: Array<{ code: number; text: string }> = [];
    if (this.faults.unreachable) out.push(NOTICE.connectivityLost);
    for (const farm of Object.keys(FARMS) as FarmName[]) out.push(farmNotice(farm, this.farms[farm] && !this.faults.unreachable));
    return out;
  }

  setUnreachable(on: boolean, dataLost: boolean): void {
    if (on === this.faults.unreachable) return;
    this.faults.unreachable = on;
    if (on) {
      this.broadcast(NOTICE.connectivityLost.code, NOTICE.connectivityLost.text);
      for (const farm of Object.keys(FARMS) as FarmName[]) if (this.farms[farm]) this.broadcast(farmNotice(farm, false).code, farmNotice(farm, false).text);
      return;
    }
    const restored = dataLost ? NOTICE.restoredDataLost : NOTICE.restoredDataMaintained;
    this.broadcast(restored.code, restored.text);
    for (const farm of Object.keys(FARMS) as FarmName[]) if (this.farms[farm]) this.broadcast(farmNotice(farm, true).code, farmNotice(farm, true).text);
  }

  setFarm(farm: FarmName, ok: boolean): void {
    this.farms[farm] = ok;
    const n = farmNotice(farm, ok && !this.faults.unreachable);
    this.broadcast(n.code, n.text);
  }

  describe(): Record<string, unknown> {
    return {
      pid: process.pid,
      loginState: this.loginState,
      username: this.username,
      accounts: this.accounts,
      readOnly: this.readOnly,
      apiPort: this.apiPort,
      commandPort: this.commandPort,
      faults: { ...this.faults },
      farms: { ...this.farms },
      connections: [...this.connections].map((c) => ({ clientId: c.clientId, peer: c.peer })),
      counters: Object.fromEntries(this.counters),
    };
  }
}
