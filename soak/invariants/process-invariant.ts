/**
 * Never two gateways for one data dir (checked every scan), and no orphan after a step: once a
 * step has recovered, every process of this run's gateways is in the current gateway's group.
 */
import type { Violations } from '../violations.js';
import { ProcessScan, type MarkedProcess } from './process-scan.js';

const describe = (ps: MarkedProcess[]) => ps.map((p) => `${p.pid}(${p.comm}, pgid ${p.pgid}, ${p.state}, by ${p.why})`).join(', ');

export class ProcessInvariant {
  readonly #scan: ProcessScan;
  readonly #violations: Violations;
  #timer: NodeJS.Timeout | null = null;
  scans = 0;
  maxGroups = 0;

  constructor(dataDir: string, violations: Violations) {
    this.#scan = new ProcessScan(dataDir);
    this.#violations = violations;
  }

  start(intervalMs = 1_500): void {
    const tick = () => {
      this.checkOneGateway();
      this.#timer = setTimeout(tick, intervalMs);
    };
    tick();
  }

  stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  checkOneGateway(): MarkedProcess[] {
    const found = this.#scan.scan();
    this.scans += 1;
    const groups = new Set(found.map((p) => p.pgid));
    this.maxGroups = Math.max(this.maxGroups, groups.size);
    if (groups.size > 1) {
      this.#violations.record('two-gateways', `${groups.size} process groups run for one data dir: ${describe(found)}`, { key: [...groups].sort().join(',') });
    }
    return found;
  }

  /**
   * After a step: everything found is in `gatewayPgid`'s group (null: no gateway should run).
   * A process on its way out (TERM sent, the grace not over) gets `settleMs` to go.
   */
  async checkNoOrphans(gatewayPgid: number | null, settleMs = 4_000): Promise<void> {
    const deadline = Date.now() + settleMs;
    let strays = this.#scan.scan().filter((p) => p.pgid !== gatewayPgid);
    while (strays.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      strays = this.#scan.scan().filter((p) => p.pgid !== gatewayPgid);
    }
    if (strays.length > 0) {
      this.#violations.record('orphan-process', `processes outside the current gateway group ${gatewayPgid ?? '(none)'} after the step: ${describe(strays)}`, { key: strays.map((p) => p.pid).join(',') });
    }
  }
}
