/**
 * The real process table, read straight from /proc, for asserting what is alive. Written
 * independently of daemon/supervisor/proc-table.ts on purpose: the tests must not trust the
 * code they check.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface Stat {
  pid: number;
  state: string;
  ppid: number;
  pgid: number;
  startTime: number;
}

export function stat(pid: number): Stat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid, state: f[0]!, ppid: Number(f[1]), pgid: Number(f[2]), startTime: Number(f[19]) };
}

/**
 * Alive = present and not a zombie. Zombies are dead processes waiting to be reaped; in this
 * container pid 1 never reaps orphans, so a killed grandchild stays Z forever.
 */
export function isAlive(pid: number): boolean {
  const s = stat(pid);
  return s !== null && s.state !== 'Z' && s.state !== 'X';
}

export function startTime(pid: number): number | null {
  return stat(pid)?.startTime ?? null;
}

function allStats(): Stat[] {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map((n) => stat(Number(n))).filter((s): s is Stat => s !== null);
}

/** Live pids whose process group is `pgid`. */
export function groupPids(pgid: number): number[] {
  return allStats().filter((s) => s.pgid === pgid && s.state !== 'Z' && s.state !== 'X').map((s) => s.pid);
}

/** Live descendants of `pid` by parent links. */
export function descendantPids(pid: number): number[] {
  const stats = allStats();
  const out: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const s of stats) {
      if (s.ppid === parent && s.state !== 'Z') {
        out.push(s.pid);
        queue.push(s.pid);
      }
    }
  }
  return out;
}

export function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** Teardown: SIGKILL a group and single pids, ignoring what is already gone. */
export function killQuietly(pids: { groups?: number[]; pids?: number[] }): void {
  for (const g of pids.groups ?? []) {
    try {
      process.kill(-g, 'SIGKILL');
    } catch {
      // gone
    }
  }
  for (const p of pids.pids ?? []) {
    try {
      if (isAlive(p)) process.kill(p, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/**
 * Live processes that mention `dir` in their command line or run inside it (cwd): how a test
 * finds what a login attempt started under its data dir (browser, crash handler, worker).
 */
export function processesUnder(dir: string): Array<{ pid: number; cmd: string }> {
  const found: Array<{ pid: number; cmd: string }> = [];
  for (const s of allStats()) {
    if (s.state === 'Z' || s.state === 'X' || s.pid === process.pid) continue;
    const cmd = cmdline(s.pid);
    let cwd = '';
    try {
      cwd = readlinkSync(`/proc/${s.pid}/cwd`);
    } catch {
      // gone, or not ours
    }
    if (cmd.includes(dir) || cwd.startsWith(dir)) found.push({ pid: s.pid, cmd: cmd.slice(0, 200) });
  }
  return found;
}
