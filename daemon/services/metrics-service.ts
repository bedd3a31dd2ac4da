import type { MetricsPort } from '../api/services.js';
import type { IbkrService } from './ibkr-service.js';
import type { DaemonContext } from '../lifecycle/daemon-context.js';
import type { Service } from '../lifecycle/service.js';
import { MetricsExposition, type ScrapeExtras } from '../metrics/exposition.js';
import { MetricsRecorder } from '../metrics/recorder.js';
import type { Keeper } from './session-keepers.js';
import type { Store } from '../store/store.js';
import type { Supervisor } from '../supervisor/index.js';

interface MetricsDeps {
  supervisor: Supervisor;
  store: Store;
  keeper: () => Keeper | null;
  ibkr: () => IbkrService;
}

/** How often the keeper's last tickle is looked at (it tickles once a minute). */
const TICKLE_SAMPLE_MS = 5000;

/**
 * The numbers behind /metrics: a recorder the API and the pass-through count into, and the
 * exposition that reads every service when scraped. Built first (the pass-through reports to
 * it), so the services it reads are reached through getters.
 */
export class MetricsService implements Service {
  readonly name = 'metrics';
  readonly dependsOn: readonly string[] = [];
  readonly recorder = new MetricsRecorder();
  /** What the API uses: count a request, render the text. */
  readonly port: MetricsPort = {
    recordRequest: (route, method, status) => this.recorder.request(route, method, status),
    render: (extras) => this.render(extras),
  };
  readonly #exposition: MetricsExposition;
  readonly #keeper: () => Keeper | null;
  #sampler: NodeJS.Timeout | null = null;

  constructor(ctx: DaemonContext, deps: MetricsDeps) {
    this.#keeper = deps.keeper;
    this.#exposition = new MetricsExposition({
      recorder: this.recorder,
      startedAt: ctx.startedAt,
      gateway: () => ({ ...deps.supervisor.status(), restartsTotal: deps.store.data.gateway.restarts }),
      session: () => {
        const keeper = deps.keeper();
        if (!keeper) return null;
        const status = keeper.status();
        const metrics = keeper.metrics();
        return { state: status.state, authenticated: status.authenticated, counters: metrics.counters, endpoints: metrics.endpoints };
      },
      pacer: () => deps.ibkr().pacer.stats(),
      cache: () => deps.ibkr().cache.stats(),
    });
  }

  render(extras: ScrapeExtras): Promise<{ contentType: string; body: string }> {
    this.#sampleTickle();
    return this.#exposition.render(extras);
  }

  #sampleTickle(): void {
    const status = this.#keeper()?.status();
    if (status) this.recorder.sawTickle(status.lastTickleAt, status.lastTickleMs);
  }

  async start(): Promise<void> {
    this.#sampler = setInterval(() => this.#sampleTickle(), TICKLE_SAMPLE_MS);
    this.#sampler.unref();
  }

  async stop(): Promise<void> {
    if (this.#sampler) clearInterval(this.#sampler);
    this.#sampler = null;
    this.#exposition.close();
  }
}
