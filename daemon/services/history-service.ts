import type { DaemonContext } from '../lifecycle/daemon-context.js';
import type { Service } from '../lifecycle/service.js';
import { StatusHistory } from '../history/status-history.js';
import type { ResourceSample, Supervisor } from '../supervisor/index.js';

/** The keeper's last keep-alive call (tickle, or the TWS API probe): when it was answered and how long it took. */
export type LastTickle = () => { lastTickleAt: number | null; lastTickleMs: number | null } | null;

/**
 * Feeds the in-memory status history (the admin UI's charts): every resource sample of the
 * gateway group, and the keeper's latest keep-alive latency looked up at each sample — the
 * keeper reports no event per tickle (one a minute would flood the store), and a sample comes
 * every few seconds, so no tickle is missed unless they come faster than samples.
 */
export class HistoryService implements Service {
  readonly name = 'history';
  readonly dependsOn = ['supervisor', 'session'];
  readonly history: StatusHistory;
  readonly #supervisor: Supervisor;
  readonly #lastTickle: LastTickle;
  #seenTickleAt: number | null = null;
  #listening = false;

  constructor(_ctx: DaemonContext, deps: { supervisor: Supervisor; lastTickle: LastTickle; history?: StatusHistory }) {
    this.history = deps.history ?? new StatusHistory();
    this.#supervisor = deps.supervisor;
    this.#lastTickle = deps.lastTickle;
  }

  readonly #onSample = (sample: ResourceSample): void => {
    const at = Date.parse(sample.at);
    this.history.addSample(Number.isNaN(at) ? Date.now() : at, sample.cpu, sample.memory);
    const tickle = this.#lastTickle();
    if (tickle?.lastTickleAt && tickle.lastTickleMs !== null && tickle.lastTickleAt !== this.#seenTickleAt) {
      this.#seenTickleAt = tickle.lastTickleAt;
      this.history.addTickle(tickle.lastTickleAt, tickle.lastTickleMs);
    }
  };

  async start(): Promise<void> {
    if (this.#listening) return;
    this.#listening = true;
    this.#supervisor.on('sample', this.#onSample);
  }

  async stop(): Promise<void> {
    this.#listening = false;
    this.#supervisor.off('sample', this.#onSample);
  }
}
