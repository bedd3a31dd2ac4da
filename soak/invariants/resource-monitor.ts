/**
 * The daemon's RSS and open file descriptors over the run, from /proc, every few seconds. A
 * daemon killed and restarted by pm2 starts a new segment (its memory starts low again). The
 * slope is the least-squares slope shared by the segments that lived long enough to say
 * something about a long-lived daemon (stats.ts pooledSlope), each after a warm-up (V8
 * compiles, heaps and caches fill): a daemon killed two minutes after its start shows its
 * warm-up, not a leak. The slope over every segment is reported beside it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pooledSlope, type Sample } from '../stats.js';
import type { Violations } from '../violations.js';

const HOUR = 3_600_000;

export interface ResourceLimits {
  /** Slopes are judged only over at least this much sampled time in long segments. */
  minSpanMs: number;
  rssMbPerHour: number;
  fdsPerHour: number;
}

interface Segment {
  pid: number;
  startedAt: number;
  rss: Sample[];
  fds: Sample[];
}

const span = (s: Segment) => (s.rss.length > 1 ? s.rss.at(-1)!.t - s.rss[0]!.t : 0);

function readRssMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

function countFds(pid: number): number | null {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

export class ResourceMonitor {
  readonly #pidFile: string;
  readonly #startedAt: number;
  readonly #warmupMs: number;
  readonly segments: Segment[] = [];
  #timer: NodeJS.Timeout | null = null;

  readonly #longMs: number;

  /** `longMs`: sampled time a segment needs to count in the judged slope. */
  constructor(dataDir: string, startedAt: number, warmupMs: number, longMs: number) {
    this.#pidFile = join(dataDir, 'daemon.pid');
    this.#startedAt = startedAt;
    this.#warmupMs = warmupMs;
    this.#longMs = longMs;
  }

  start(intervalMs = 5_000): void {
    const tick = () => {
      this.sample();
      this.#timer = setTimeout(tick, intervalMs);
    };
    tick();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  sample(now = Date.now()): void {
    let pid: number;
    try {
      pid = Number(readFileSync(this.#pidFile, 'utf8').trim());
    } catch {
      return;
    }
    const rss = readRssMb(pid);
    const fds = countFds(pid);
    if (rss === null || fds === null) return;
    let segment = this.segments.at(-1);
    if (!segment || segment.pid !== pid) {
      segment = { pid, startedAt: now, rss: [], fds: [] };
      this.segments.push(segment);
    }
    if (now - segment.startedAt < this.#warmupMs) return;
    const t = now - this.#startedAt;
    segment.rss.push({ t, value: rss });
    segment.fds.push({ t, value: fds });
  }

  #long(): Segment[] {
    return this.segments.filter((s) => span(s) >= this.#longMs);
  }

  /** Sampled time inside the long segments (what the judged slopes rest on). */
  spanMs(): number {
    return this.#long().reduce((sum, seg) => sum + span(seg), 0);
  }

  /** Over the long segments (null: none); `all` over every segment, warm-ups of young daemons included. */
  rssSlopeMbPerHour(all = false): number | null {
    const slope = pooledSlope((all ? this.segments : this.#long()).map((s) => s.rss));
    return slope === null ? null : slope * HOUR;
  }

  fdSlopePerHour(all = false): number | null {
    const slope = pooledSlope((all ? this.segments : this.#long()).map((s) => s.fds));
    return slope === null ? null : slope * HOUR;
  }

  /** Per daemon process: how long it was sampled and its RSS and fds first and last. */
  describe(): Array<Record<string, number>> {
    return this.segments.map((s) => ({
      pid: s.pid, sampledMs: span(s), samples: s.rss.length,
      firstRssMb: Number((s.rss[0]?.value ?? 0).toFixed(1)), lastRssMb: Number((s.rss.at(-1)?.value ?? 0).toFixed(1)),
      firstFds: s.fds[0]?.value ?? 0, lastFds: s.fds.at(-1)?.value ?? 0,
    }));
  }

  last(): { rssMb: number; fds: number } | null {
    const seg = this.segments.at(-1);
    return seg && seg.rss.length > 0 ? { rssMb: seg.rss.at(-1)!.value, fds: seg.fds.at(-1)!.value } : null;
  }

  /** The growth invariants, judged at the end of a run long enough to say anything. */
  judge(limits: ResourceLimits, violations: Violations): 'judged' | 'too-short' {
    if (this.spanMs() < limits.minSpanMs) return 'too-short';
    const rss = this.rssSlopeMbPerHour();
    const fds = this.fdSlopePerHour();
    const at = { step: -1, fault: null };
    if (rss !== null && rss > limits.rssMbPerHour) violations.record('rss-growth', `daemon RSS grows ${rss.toFixed(2)} MB/hour (limit ${limits.rssMbPerHour})`, at);
    if (fds !== null && fds > limits.fdsPerHour) violations.record('fd-growth', `daemon open fds grow ${fds.toFixed(1)}/hour (limit ${limits.fdsPerHour})`, at);
    return 'judged';
  }
}
