/**
 * CPU and memory of the whole gateway, sampled on an interval.
 *
 * "The gateway" is every process of its group plus escaped descendants — the launcher shell
 * is a few hundred KB, the JVM behind it is the 120 MB+ that matters. Sampling only the pid
 * the daemon spawned would report the shell and miss the leak.
 */
import { ProcUsageReader } from './proc-usage.js';
import type { Logger } from '../logger.js';

export interface ResourceSample {
  /** Percent of one CPU, summed over the processes (can exceed 100 on several cores). */
  cpu: number;
  /** Resident set size in bytes, summed. */
  memory: number;
  pids: number[];
  at: string;
}

export interface ResourceMonitorOptions {
  intervalMs: number;
  /** null: no limit. */
  memoryLimitBytes: number | null;
  /** The pids to sample, looked up afresh each time (the group changes). */
  pids: () => number[];
  onSample: (sample: ResourceSample) => void;
  /** Called once when a sample is over the limit; the monitor stops itself first. */
  onLimit: (sample: ResourceSample) => void;
  logger: Logger;
  now?: () => number;
}

export class ResourceMonitor {
  #o: ResourceMonitorOptions;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  /** Bumped by every start/stop, so a sample still in flight from a previous run is discarded. */
  #generation = 0;
  #last: ResourceSample | null = null;
  readonly #usage = new ProcUsageReader();

  constructor(options: ResourceMonitorOptions) {
    this.#o = options;
  }

  /** A config edit: the next sample uses the new interval and limit. */
  configure(changes: Pick<ResourceMonitorOptions, 'intervalMs' | 'memoryLimitBytes'>): void {
    this.#o = { ...this.#o, ...changes };
  }

  get last(): ResourceSample | null {
    return this.#last;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#generation++;
    this.#schedule();
  }

  stop(): void {
    this.#running = false;
    this.#generation++;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#last = null;
  }

  #schedule(): void {
    // setTimeout after each sample rather than setInterval: a slow /proc read never stacks samples.
    const generation = this.#generation;
    this.#timer = setTimeout(() => void this.#tick(generation), this.#o.intervalMs);
    this.#timer.unref();
  }

  async #tick(generation: number): Promise<void> {
    let sample: ResourceSample | null = null;
    try {
      sample = await this.sample();
    } catch (err) {
      this.#o.logger.debug({ err }, 'resource sample failed');
    }
    if (generation !== this.#generation) return; // stopped while sampling: the numbers belong to a dead run
    if (sample) {
      this.#last = sample;
      this.#o.onSample(sample);
      const limit = this.#o.memoryLimitBytes;
      if (limit !== null && sample.memory > limit) {
        this.stop();
        this.#o.onLimit(sample);
        return;
      }
    }
    this.#schedule();
  }

  /** One sample now. Processes that vanish between listing and reading are simply left out. */
  async sample(): Promise<ResourceSample> {
    const pids = this.#o.pids();
    let cpu = 0;
    let memory = 0;
    const seen: number[] = [];
    for (const pid of pids) {
      const usage = this.#usage.read(pid);
      if (!usage) continue;
      cpu += usage.cpu;
      memory += usage.memory;
      seen.push(pid);
    }
    this.#usage.keepOnly(seen);
    return { cpu: Math.round(cpu * 10) / 10, memory, pids: seen, at: new Date((this.#o.now ?? Date.now)()).toISOString() };
  }
}
