/**
 * Never two gateways for one data dir (checked every scan), and no orphan after a step: once a
 * step has recovered, every gateway process is in the current gateway's group, and the daemon's
 * helpers of that step (a login worker and its Chromium) are gone soon after — a helper still
 * alive 15 s after the step that started it ended is an orphan.
 */
import type { Violations } from '../violations.js';
import { ProcessScan, stat, type MarkedProcess } from './process-scan.js';

const describe = (ps: MarkedProcess[]) => {
  const shown = ps.slice(0, 8).map((p) => `${p.pid}(${p.comm}, pgid ${p.pgid}, ${p.state}, by ${p.why})`).join(', ');
  return ps.length > 8 ? `${shown} (+${ps.length - 8} more)` : shown;
};

/** How long a login worker or its browser may outlive the step that started it. */
const HELPER_GRACE_MS = 15_000;

export class ProcessInvariant {
  readonly #scan: ProcessScan;
  readonly #violations: Violations;
  #timer: NodeJS.Timeout | null = null;
  readonly #pending = new Set<NodeJS.Timeout>();
  scans = 0;
  maxGroups = 0;
  helpersSeen = 0;

  constructor(dataDir: string, violations: Violations, gatewayHome?: string) {
    this.#scan = new ProcessScan(dataDir, gatewayHome);
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
    for (const t of this.#pending) clearTimeout(t);
    this.#pending.clear();
  }

  checkOneGateway(): MarkedProcess[] {
    const found = this.#scan.scan();
    this.scans += 1;
    const groups = new Set(found.filter((p) => p.role === 'gateway').map((p) => p.pgid));
    this.maxGroups = Math.max(this.maxGroups, groups.size);
    if (groups.size > 1) {
      this.#violations.record('two-gateways', `${groups.size} gateway process groups run for one data dir: ${describe(found.filter((p) => p.role === 'gateway'))}`, { key: [...groups].sort().join(',') });
    }
    return found;
  }

  /** Gateway processes outside `gatewayPgid`'s group: what an earlier gateway left behind. */
  strays(gatewayPgid: number): number[] {
    return this.#scan.scan().filter((p) => p.role === 'gateway' && p.pgid !== gatewayPgid).map((p) => p.pid);
  }

  /**
   * After a step: gateway processes outside `gatewayPgid`'s group (null: none may run) get
   * `settleMs` to go (TERM sent, the grace not over); the step's helpers are looked at again later.
   */
  async checkNoOrphans(gatewayPgid: number | null, settleMs = 4_000): Promise<void> {
    const deadline = Date.now() + settleMs;
    const strays = () => this.#scan.scan().filter((p) => p.role === 'gateway' && p.pgid !== gatewayPgid);
    let left = strays();
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      left = strays();
    }
    if (left.length > 0) {
      this.#violations.record('orphan-process', `gateway processes outside the current group ${gatewayPgid ?? '(none)'} after the step: ${describe(left)}`, { key: left.map((p) => p.pid).join(',') });
    }
    this.#laterHelpers();
  }

  /** The helpers alive now must be gone (the same pid and start time no longer live) in a while. */
  #laterHelpers(): void {
    const helpers = this.#scan.scan().filter((p) => p.role === 'helper');
    if (helpers.length === 0) return;
    this.helpersSeen += helpers.length;
    const timer = setTimeout(() => {
      this.#pending.delete(timer);
      const alive = helpers.filter((p) => {
        const now = stat(p.pid);
        return now !== null && now.state !== 'Z' && now.state !== 'X' && now.startTime === p.startTime;
      });
      if (alive.length > 0) this.#violations.record('orphan-process', `daemon helpers still alive ${HELPER_GRACE_MS / 1000} s after the step ended: ${describe(alive)}`, { key: alive.map((p) => p.pid).join(',') });
    }, HELPER_GRACE_MS);
    this.#pending.add(timer);
  }

  /** At the end, with the daemon stopped: nothing of it may be left, gateway or helper. */
  async checkAllGone(settleMs: number, after = 'pm2 stopped the daemon'): Promise<void> {
    const deadline = Date.now() + settleMs;
    let left = this.#scan.scan();
    while (left.length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      left = this.#scan.scan();
    }
    if (left.length > 0) this.#violations.record('orphan-process', `processes left after ${after}: ${describe(left)}`, { key: `end ${after}` });
  }
}
