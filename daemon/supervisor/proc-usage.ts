/**
 * CPU and memory of processes, read from /proc (Linux; the supervisor relies on /proc anyway):
 * the resource monitor samples the gateway's whole group every few seconds, and a package for
 * it would cost the idle daemon more than these few lines.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { isLive, readStat } from './proc-table.js';

export interface ProcUsage {
  /** Percent of one CPU since the previous sample of this process (since its start, first time). */
  cpu: number;
  /** Resident set size in bytes. */
  memory: number;
}

/** `getconf` once: USER_HZ and the page size are 100 and 4096 on every common Linux, but not all. */
function sysconf(name: string, fallback: number): number {
  try {
    const value = Number(execFileSync('getconf', [name], { encoding: 'utf8', timeout: 2000 }).trim());
    return Number.isFinite(value) && value > 0 ? value : fallback;
  } catch {
    return fallback;
  }
}

const uptimeSeconds = (): number => Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);

export class ProcUsageReader {
  #clockTicks = 0;
  #pageSize = 0;
  /** Keyed by pid and start time, so a reused pid starts over. */
  readonly #last = new Map<string, { ticks: number; uptime: number }>();

  /** Null when the process is gone (or a zombie). */
  read(pid: number): ProcUsage | null {
    const stat = readStat(pid);
    if (!isLive(stat)) return null;
    this.#clockTicks ||= sysconf('CLK_TCK', 100);
    this.#pageSize ||= sysconf('PAGESIZE', 4096);
    const uptime = uptimeSeconds();
    const key = `${pid}:${stat.startTime}`;
    const previous = this.#last.get(key) ?? { ticks: 0, uptime: stat.startTime / this.#clockTicks };
    this.#last.set(key, { ticks: stat.cpuTicks, uptime });
    const seconds = uptime - previous.uptime;
    const cpu = seconds > 0 ? ((stat.cpuTicks - previous.ticks) / this.#clockTicks / seconds) * 100 : 0;
    return { cpu: Math.max(0, cpu), memory: stat.rssPages * this.#pageSize };
  }

  /** Forget processes not in `pids` (they ended): the map stays as small as the group. */
  keepOnly(pids: number[]): void {
    const live = new Set(pids.map(String));
    for (const key of this.#last.keys()) if (!live.has(key.split(':')[0]!)) this.#last.delete(key);
  }
}
