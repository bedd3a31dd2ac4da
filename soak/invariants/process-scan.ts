/**
 * Which live processes belong to this run's daemon, straight from /proc. Gateway processes: those
 * started with a run marker the daemon wrote into this data dir's run record (IBGW_RUN_MARKER),
 * and any process working in the gateway's home (one launched before its marker was read, or
 * that dropped its environment). Helpers: any other process working inside the data dir — the
 * login worker and its Chromium (<dataDir>/login). Written apart from daemon/supervisor and
 * daemon/login on purpose: the check must not trust the code it checks.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export interface MarkedProcess {
  pid: number;
  pgid: number;
  ppid: number;
  state: string;
  comm: string;
  /** The start time (clock ticks after boot): with the pid, one process. */
  startTime: string;
  role: 'gateway' | 'helper';
  why: 'marker' | 'cwd';
}

export function stat(pid: number): { state: string; ppid: number; pgid: number; comm: string; startTime: string } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = text.lastIndexOf(')');
    const f = text.slice(close + 2).split(' ');
    return { state: f[0]!, ppid: Number(f[1]), pgid: Number(f[2]), comm: text.slice(text.indexOf('(') + 1, close), startTime: f[19]! };
  } catch {
    return null;
  }
}

export class ProcessScan {
  readonly #dataDir: string;
  readonly #gatewayHome: string;
  /** Every marker this data dir's run record has named during the run. */
  readonly markers = new Set<string>();

  /** `gatewayHome`: where the gateway's processes work (the IB Gateway kinds: <dataDir>/ibgateway). */
  constructor(dataDir: string, gatewayHome: string = join(dataDir, 'gateway')) {
    this.#dataDir = dataDir;
    this.#gatewayHome = gatewayHome;
  }

  /** Picks up the current run record's marker (a new one at every gateway start). */
  refreshMarkers(): void {
    try {
      const record = JSON.parse(readFileSync(join(this.#dataDir, 'run', 'gateway.json'), 'utf8')) as { marker?: string };
      if (typeof record.marker === 'string') this.markers.add(record.marker);
    } catch {
      // no record between runs, or being replaced: the next scan reads it
    }
  }

  /** Live (not zombie) processes of this run's gateways. */
  scan(): MarkedProcess[] {
    this.refreshMarkers();
    const found: MarkedProcess[] = [];
    for (const name of readdirSync('/proc')) {
      const pid = Number(name);
      if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) continue;
      const belongs = this.#belongs(pid);
      if (!belongs) continue;
      const s = stat(pid);
      if (!s || s.state === 'Z' || s.state === 'X') continue;
      found.push({ pid, ...s, ...belongs });
    }
    return found;
  }

  #belongs(pid: number): { role: MarkedProcess['role']; why: MarkedProcess['why'] } | null {
    try {
      const raw = readFileSync(`/proc/${pid}/environ`, 'utf8');
      const at = raw.indexOf('IBGW_RUN_MARKER=');
      if (at >= 0) {
        const end = raw.indexOf('\0', at);
        const marker = raw.slice(at + 'IBGW_RUN_MARKER='.length, end < 0 ? undefined : end);
        if (this.markers.has(marker)) return { role: 'gateway', why: 'marker' };
      }
    } catch {
      return null; // gone, or another user's
    }
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      const inside = (dir: string) => cwd === dir || cwd.startsWith(`${dir}/`);
      if (inside(this.#gatewayHome)) return { role: 'gateway', why: 'cwd' };
      if (inside(this.#dataDir)) return { role: 'helper', why: 'cwd' };
    } catch {
      // gone
    }
    return null;
  }
}
