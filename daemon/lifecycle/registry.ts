/**
 * Starts the daemon's services in dependency order and stops them in reverse; routes config
 * changes to the service that owns each key. A start that fails stops what was started and
 * names the service; a stop that fails or hangs is recorded and does not keep the others
 * (above all the supervisor, which must empty the gateway's process group) from stopping.
 */
import type { Config } from '../config/types.js';
import type { ConfigChange } from '../config/diff.js';
import { routeChange } from '../config/owners.js';
import { ERR_SERVICE_START, IbgwError, isIbgwError } from '../errors.js';
import type { EventSink } from '../events.js';
import type { Service } from './service.js';
import { startOrder } from './start-order.js';

export interface RegistryOptions {
  onEvent: EventSink;
  /** Bound on a stop() that does not say its own (stopTimeoutMs). */
  defaultStopTimeoutMs: number;
  /** Told after each service has started (the start footprint marks its memory there). */
  onStarted?: (name: string) => void;
}

export interface StopReport {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

/**
 * Names the service in the message. An error from the catalog keeps its code (a config error
 * still exits 78, a second daemon still says IBGW_DAEMON_RUNNING); anything else becomes
 * IBGW_SERVICE_START.
 */
function startFailure(name: string, err: unknown): IbgwError {
  const message = err instanceof Error ? err.message : String(err);
  const failure = isIbgwError(err)
    ? new IbgwError(err.code, `service ${name} failed to start: ${message}`, err.statusCode, { details: { ...err.details, service: name } })
    : ERR_SERVICE_START(name, message);
  failure.cause = err;
  return failure;
}

export class ServiceRegistry {
  readonly #order: Service[];
  readonly #byName: Map<string, Service>;
  readonly #options: RegistryOptions;
  readonly #started: Service[] = [];

  constructor(services: readonly Service[], options: RegistryOptions) {
    this.#order = startOrder(services);
    this.#byName = new Map(this.#order.map((s) => [s.name, s]));
    this.#options = options;
  }

  get names(): string[] {
    return this.#order.map((s) => s.name);
  }

  get<T extends Service>(name: string): T {
    const service = this.#byName.get(name);
    if (!service) throw new Error(`no service named ${name}`);
    return service as T;
  }

  async startAll(): Promise<void> {
    for (const service of this.#order) {
      try {
        await service.start();
        this.#started.push(service);
        this.#options.onStarted?.(service.name);
      } catch (err) {
        // Leave nothing behind: the failed service may hold part of what it started, and the
        // ones already running (a gateway among them) stop too; stop() is idempotent.
        this.#started.push(service);
        await this.stopAll(`service ${service.name} failed to start`);
        throw startFailure(service.name, err);
      }
    }
  }

  /** Reverse start order; each stop bounded; never throws. */
  async stopAll(reason: string): Promise<StopReport[]> {
    const reports: StopReport[] = [];
    while (this.#started.length > 0) {
      const service = this.#started.pop() as Service;
      reports.push(await this.#stopOne(service, reason));
    }
    return reports;
  }

  async #stopOne(service: Service, reason: string): Promise<StopReport> {
    const limit = service.stopTimeoutMs?.() ?? this.#options.defaultStopTimeoutMs;
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        service.stop(reason),
        new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`did not stop within ${limit} ms`)), limit); }),
      ]);
      return { name: service.name, ok: true, ms: Math.round(performance.now() - t0) };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.#options.onEvent({ type: 'daemon.stop-failed', level: 'error', message: `stopping ${service.name} failed (${reason}): ${message}`, data: { service: service.name, reason } });
      return { name: service.name, ok: false, ms: Math.round(performance.now() - t0), error: message };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Each changed key goes to the service that owns it (config/owners.ts), in start order so a
   * service sees its dependencies already reconfigured. One failing owner does not keep the
   * others from applying theirs.
   */
  async reconfigure(next: Config, change: ConfigChange): Promise<void> {
    const routed = routeChange(change.paths);
    if (routed.pending.length > 0) {
      this.#options.onEvent({ type: 'config.pending', level: 'warn', message: `restart the daemon to apply: ${routed.pending.join(', ')}`, data: { paths: routed.pending } });
    }
    for (const service of this.#order) {
      const paths = routed.byOwner.get(service.name);
      if (!paths || !service.reconfigure || !this.#started.includes(service)) continue;
      try {
        await service.reconfigure({ next, paths });
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.#options.onEvent({ type: 'config.apply-failed', level: 'error', message: `${service.name} could not apply ${paths.join(', ')}: ${message}`, data: { service: service.name, paths } });
      }
    }
  }
}
