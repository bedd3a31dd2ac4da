/**
 * Where the daemon's megabytes go: memory after each phase of its start (Node and the CLI,
 * the daemon's modules, each service) and once more when it has idled, with V8's heap spaces
 * at that point. `ibgw daemon --footprint FILE` writes it; `npm run bench` prints it.
 *
 * Resident memory is what a user's `ps` shows; the heap figures say whether a phase cost
 * JavaScript objects (heapUsed), compiled code (code space) or memory outside the heap
 * (external: buffers, TLS contexts).
 */
import { getHeapSpaceStatistics } from 'node:v8';
import { writeFileAtomic } from '../atomic-write.js';

export interface FootprintPhase {
  phase: string;
  /** Since the process started. */
  atMs: number;
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}

export interface FootprintReport {
  schema: 'ibgw.footprint/1';
  pid: number;
  execArgv: string[];
  phases: FootprintPhase[];
  /** V8's heap spaces at the idle mark: which kind of memory the heap holds. */
  heapSpaces: Record<string, { usedMb: number; sizeMb: number }> | null;
}

const mb = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;

export class Footprint {
  readonly #phases: FootprintPhase[] = [];
  #heapSpaces: FootprintReport['heapSpaces'] = null;

  mark(phase: string): void {
    const m = process.memoryUsage();
    this.#phases.push({
      phase, atMs: Math.round(performance.now()),
      rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), externalMb: mb(m.external),
    });
  }

  /** The last mark: what the daemon holds once nothing is starting any more. */
  markIdle(): void {
    this.mark('idle');
    this.#heapSpaces = Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, { usedMb: mb(s.space_used_size), sizeMb: mb(s.space_size) }]));
  }

  report(): FootprintReport {
    return { schema: 'ibgw.footprint/1', pid: process.pid, execArgv: [...process.execArgv], phases: [...this.#phases], heapSpaces: this.#heapSpaces };
  }

  write(file: string): Promise<void> {
    return writeFileAtomic(file, `${JSON.stringify(this.report(), null, 2)}\n`);
  }
}
