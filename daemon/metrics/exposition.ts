/**
 * Prometheus text for /metrics. prom-client (its registry and text format) is loaded at the
 * first scrape, not at start: a daemon nobody scrapes should not carry it (measured: ~3 MB
 * resident with a registry of this size). Its metric objects are not used: the recorder's
 * plain numbers are handed to the registry as "collect at scrape" families instead, so nothing
 * observed before the first scrape is lost.
 */
import { FAMILIES, type MetricsSources } from './families.js';
import { LiveHeapWatch } from './live-heap.js';

export type ExpositionSources = Omit<MetricsSources, 'streams' | 'liveHeap'>;
export interface ScrapeExtras { streams: { clients: number; dropped: number } | null }

interface Registry {
  metrics(): Promise<string>;
  registerMetric(metric: unknown): void;
  contentType: string;
}

export class MetricsExposition {
  readonly #sources: MetricsSources;
  #extras: ScrapeExtras = { streams: null };
  #registry: Promise<Registry> | null = null;
  readonly #liveHeap = new LiveHeapWatch();

  constructor(sources: ExpositionSources) {
    this.#sources = { ...sources, streams: () => this.#extras.streams, liveHeap: () => this.#liveHeap.last?.bytes ?? null };
  }

  /** Ends the GC observer the first scrape started. */
  close(): void {
    this.#liveHeap.stop();
  }

  async #build(): Promise<Registry> {
    const { Registry } = await import('prom-client');
    const registry = new Registry() as unknown as Registry;
    for (const family of FAMILIES) {
      // prom-client formats anything with a name, help, type and get() returning the values.
      registry.registerMetric({
        name: family.name,
        help: family.help,
        type: family.type,
        get: async () => ({ name: family.name, help: family.help, type: family.type, aggregator: 'sum', values: family.collect(this.#sources) }),
      });
    }
    return registry;
  }

  async render(extras: ScrapeExtras): Promise<{ contentType: string; body: string }> {
    this.#liveHeap.start();
    this.#registry ??= this.#build().catch((err: Error) => { this.#registry = null; throw err; });
    const registry = await this.#registry;
    this.#extras = extras;
    return { contentType: registry.contentType, body: await registry.metrics() };
  }
}
