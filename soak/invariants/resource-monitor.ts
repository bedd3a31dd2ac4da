/**
 * The daemon's RSS and open file descriptors over the run, from /proc, every few seconds. A
 * daemon killed and restarted by pm2 starts a new segment (its memory starts low again).
 *
 * The judged slope is the least-squares slope shared by the segments that lived long enough to
 * say something about a long-lived daemon (stats.ts pooledSlope), each after a warm-up, and over
 * floors, not raw samples (stats.ts windowFloors):
 * - warm-up: a new daemon's RSS climbs for its first minutes — V8 compiles, heaps size
 *   themselves, each code path the faults reach maps its share of the node executable, and a
 *   module loaded on first use stays (measured in one daemon under the soak's load: the RSS floor
 *   rose from 89 to 101 MB in its first 4 minutes and stayed within 100–103 MB for the next 16);
 * - floors: each window's lowest sample. The raw samples carry the collector's sawtooth (100 to
 *   118 MB in that run), and a line through them follows where the peaks fell.
 * The raw slope over every sample, young daemons included, is reported beside it.
 *
 * Each judged slope comes with its 95 % interval (stats.ts pooledFit), and the verdict rests on
 * the interval, not the slope alone (judge() says why): a 30-minute run catches a daemon growing
 * about 10 MB an hour or more, and shows ≤ 1 MB/hour only when it is long enough to.
 *
 * Beside the RSS, not judged: the V8 heap the daemon kept after its last full collection
 * (/metrics, ibgw_daemon_heap_live_bytes), floored over 5-minute windows. It holds the objects
 * and the compiled code the daemon keeps and none of the garbage between collections, so a flat
 * one under a rising RSS says the growth is V8 sizing its heap or native memory, and a rising
 * one says the daemon keeps more (objects, or code the optimizing compiler keeps adding:
 * soak/README.md, "Stop 29").
 *
 * Also reported, not judged: the RSS's two parts, each floored the same way. File-backed pages
 * are node's executable and libraries as far as the daemon has run their code (~41 MB at start,
 * ~44 once the faults have reached their paths, then level); anonymous pages are V8's heap and
 * malloc's. A rising RSS with a level file-backed part is memory the daemon allocated.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pooledFit, pooledSlope, slopeInterval, windowFloors, windowMedians, type Sample } from '../stats.js';
import type { Violations } from '../violations.js';

const HOUR = 3_600_000;

export interface ResourceTimings {
  /** Samples of a daemon younger than this are not kept (see above). */
  warmupMs: number;
  /** Sampled time after the warm-up a segment needs to count in the judged slope. */
  longMs: number;
  /** Each window's lowest sample is one point of the judged slope. */
  floorWindowMs: number;
  /** The same for the heap: full collections come minutes apart under the soak's load. */
  heapFloorWindowMs: number;
}

export interface ResourceLimits {
  /** Slopes are judged only over at least this much sampled time in long segments. */
  minSpanMs: number;
  rssMbPerHour: number;
  fdsPerHour: number;
}

/** A judged slope per hour and its 95 % interval, over `points` floors (or medians). */
export interface Growth {
  perHour: number;
  low: number;
  high: number;
  points: number;
}

export type Verdict = 'within' | 'unresolved' | 'exceeds';

/** The judged slopes with their verdicts (verdict null: the run was too short to judge). */
export interface ResourceJudgement {
  judged: 'judged' | 'too-short';
  rss: (Growth & { verdict: Verdict | null }) | null;
  fds: (Growth & { verdict: Verdict | null }) | null;
}

interface Segment {
  pid: number;
  startedAt: number;
  rss: Sample[];
  fds: Sample[];
  heap: Sample[];
  /** The RSS's anonymous and file-backed parts (empty where the kernel does not say). */
  anon: Sample[];
  file: Sample[];
}

/** Resident memory in MB: all of it and, where the kernel splits it (Linux ≥ 4.5), its parts. */
interface Resident {
  total: number;
  anon: number | null;
  file: number | null;
}

const floorsMb = (samples: readonly Sample[], windowMs: number) => windowFloors(samples, windowMs).map((f) => Number(f.value.toFixed(1)));

const span = (s: Segment) => (s.rss.length > 1 ? s.rss.at(-1)!.t - s.rss[0]!.t : 0);

function readResident(pid: number): Resident | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const mb = (field: string): number | null => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return m ? Number(m[1]) / 1024 : null;
  };
  const total = mb('VmRSS');
  return total === null ? null : { total, anon: mb('RssAnon'), file: mb('RssFile') };
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
  readonly #timings: ResourceTimings;
  readonly #heapMb: (() => Promise<number | null>) | null;
  readonly segments: Segment[] = [];
  #timer: NodeJS.Timeout | null = null;

  /** `heapMb`: the daemon's own figure of its V8 heap (null when it has none or does not answer). */
  constructor(dataDir: string, startedAt: number, timings: ResourceTimings, heapMb: (() => Promise<number | null>) | null = null) {
    this.#pidFile = join(dataDir, 'daemon.pid');
    this.#startedAt = startedAt;
    this.#timings = timings;
    this.#heapMb = heapMb;
  }

  get timings(): ResourceTimings {
    return this.#timings;
  }

  start(intervalMs = 5_000): void {
    const tick = () => {
      const segment = this.sample();
      if (segment && this.#heapMb) void this.#sampleHeap(segment);
      this.#timer = setTimeout(tick, intervalMs);
    };
    tick();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /** The segment a sample past its warm-up went to, or null (no daemon, or a young one). */
  sample(now = Date.now()): Segment | null {
    let pid: number;
    try {
      pid = Number(readFileSync(this.#pidFile, 'utf8').trim());
    } catch {
      return null;
    }
    const resident = readResident(pid);
    const fds = countFds(pid);
    if (resident === null || fds === null) return null;
    let segment = this.segments.at(-1);
    if (!segment || segment.pid !== pid) {
      segment = { pid, startedAt: now, rss: [], fds: [], heap: [], anon: [], file: [] };
      this.segments.push(segment);
    }
    if (now - segment.startedAt < this.#timings.warmupMs) return null;
    const t = now - this.#startedAt;
    segment.rss.push({ t, value: resident.total });
    segment.fds.push({ t, value: fds });
    if (resident.anon !== null) segment.anon.push({ t, value: resident.anon });
    if (resident.file !== null) segment.file.push({ t, value: resident.file });
    return segment;
  }

  async #sampleHeap(segment: Segment): Promise<void> {
    const t = Date.now() - this.#startedAt;
    const mb = await this.#heapMb!().catch(() => null);
    // An answer from the daemon that replaced this one belongs to no sample of it.
    if (mb !== null && this.segments.at(-1) === segment) segment.heap.push({ t, value: mb });
  }

  #long(): Segment[] {
    return this.segments.filter((s) => span(s) >= this.#timings.longMs);
  }

  /** Sampled time inside the long segments (what the judged slopes rest on). */
  spanMs(): number {
    return this.#long().reduce((sum, seg) => sum + span(seg), 0);
  }

  /** Judged: over the floors of the long segments (null: none). `raw`: over every sample of every segment kept. */
  rssSlopeMbPerHour(raw = false): number | null {
    return this.#slope((s) => s.rss, raw);
  }

  /** Judged over the medians of the windows, not their floors (stats.ts windowMedians says why). */
  fdSlopePerHour(raw = false): number | null {
    return this.#slope((s) => s.fds, raw, this.#timings.floorWindowMs, windowMedians);
  }

  /** Over the heap's floors in the long segments; reported, not judged. */
  heapSlopeMbPerHour(): number | null {
    return this.#slope((s) => s.heap, false, this.#timings.heapFloorWindowMs);
  }

  /** Over the floors of the RSS's two parts in the long segments, like the RSS; reported, not judged. */
  rssPartSlopesMbPerHour(): { anonymous: number | null; fileBacked: number | null } {
    return { anonymous: this.#slope((s) => s.anon, false), fileBacked: this.#slope((s) => s.file, false) };
  }

  #points(series: (s: Segment) => Sample[], windowMs: number, level: typeof windowFloors): Sample[][] {
    return this.#long().map((s) => level(series(s), windowMs));
  }

  #slope(series: (s: Segment) => Sample[], raw: boolean, windowMs = this.#timings.floorWindowMs, level = windowFloors): number | null {
    const slope = raw ? pooledSlope(this.segments.map(series)) : pooledSlope(this.#points(series, windowMs, level));
    return slope === null ? null : slope * HOUR;
  }

  /** The judged RSS and fd slopes, per hour, each with its 95 % interval (null: nothing to fit). */
  growth(): { rss: Growth | null; fds: Growth | null } {
    const per = (points: Sample[][]): Growth | null => {
      const fit = pooledFit(points);
      if (!fit) return null;
      const [low, high] = slopeInterval(fit);
      return { perHour: fit.slope * HOUR, low: low * HOUR, high: high * HOUR, points: points.reduce((n, p) => n + p.length, 0) };
    };
    return {
      rss: per(this.#points((s) => s.rss, this.#timings.floorWindowMs, windowFloors)),
      fds: per(this.#points((s) => s.fds, this.#timings.floorWindowMs, windowMedians)),
    };
  }

  /** Per daemon process: how long it was sampled and its RSS and fds first and last. */
  describe(): Array<Record<string, number | number[]>> {
    return this.segments.map((s) => ({
      pid: s.pid, sampledMs: span(s), samples: s.rss.length,
      firstRssMb: Number((s.rss[0]?.value ?? 0).toFixed(1)), lastRssMb: Number((s.rss.at(-1)?.value ?? 0).toFixed(1)),
      firstFds: s.fds[0]?.value ?? 0, lastFds: s.fds.at(-1)?.value ?? 0,
    })).map((d, i) => ({
      ...d,
      floorsMb: floorsMb(this.segments[i]!.rss, this.#timings.floorWindowMs),
      fdMedians: windowMedians(this.segments[i]!.fds, this.#timings.floorWindowMs).map((f) => f.value),
      heapFloorsMb: floorsMb(this.segments[i]!.heap, this.#timings.heapFloorWindowMs),
      anonFloorsMb: floorsMb(this.segments[i]!.anon, this.#timings.floorWindowMs),
      fileFloorsMb: floorsMb(this.segments[i]!.file, this.#timings.floorWindowMs),
    }));
  }

  last(): { rssMb: number; fds: number } | null {
    const seg = this.segments.at(-1);
    return seg && seg.rss.length > 0 ? { rssMb: seg.rss.at(-1)!.value, fds: seg.fds.at(-1)!.value } : null;
  }

  /**
   * The growth invariants, judged at the end of a run long enough to say anything. A slope is a
   * violation when its whole 95 % interval lies above the limit: the floors scatter by a MB or
   * two around any line (the heap sizes itself up and down for minutes at a time), which in a
   * 30-minute run leaves a slope uncertain by several MB/hour, so a judgement on the slope alone
   * would fail a daemon that does not grow about every other run. `within`: the whole interval
   * lies at or below the limit — the goal shown; `unresolved`: the interval holds the limit, and
   * only a longer run can tell.
   */
  judge(limits: ResourceLimits, violations: Violations): ResourceJudgement {
    const { rss, fds } = this.growth();
    const judged = this.spanMs() >= limits.minSpanMs;
    const verdict = (g: Growth | null, limit: number): Verdict | null =>
      !judged ? null : g === null ? 'unresolved' : g.low > limit ? 'exceeds' : g.high <= limit ? 'within' : 'unresolved';
    const rssVerdict = verdict(rss, limits.rssMbPerHour);
    const fdVerdict = verdict(fds, limits.fdsPerHour);
    const at = { step: -1, fault: null };
    const range = (g: Growth) => `95 % interval ${g.low.toFixed(2)} to ${g.high.toFixed(2)}`;
    if (rssVerdict === 'exceeds') violations.record('rss-growth', `daemon RSS grows ${rss!.perHour.toFixed(2)} MB/hour, ${range(rss!)} (limit ${limits.rssMbPerHour})`, at);
    if (fdVerdict === 'exceeds') violations.record('fd-growth', `daemon open fds grow ${fds!.perHour.toFixed(1)}/hour, ${range(fds!)} (limit ${limits.fdsPerHour})`, at);
    return {
      judged: judged ? 'judged' : 'too-short',
      rss: rss && { ...rss, verdict: rssVerdict },
      fds: fds && { ...fds, verdict: fdVerdict },
    };
  }
}
