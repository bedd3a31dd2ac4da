import type { Config } from '../config/types.js';
import { checkGate } from '../ibkr/gateway-gate.js';
import { Pacer, type PacerSettings } from '../ibkr/pacer.js';
import { PassThrough, type PassThroughObserver, type PassThroughSettings } from '../ibkr/pass-through.js';
import { ResponseCache } from '../ibkr/response-cache.js';
import { GatewayUpstream } from '../ibkr/upstream.js';
import type { DaemonContext } from '../lifecycle/daemon-context.js';
import type { ConfigUpdate, Service } from '../lifecycle/service.js';
import type { MaintenanceCalendar } from '../maintenance/index.js';
import type { GatewayService } from './gateway-service.js';
import type { SessionService } from './session-service.js';
import type { SupervisorService } from './supervisor-service.js';

interface IbkrDeps {
  gateway: GatewayService;
  supervisor: SupervisorService;
  session: SessionService;
  calendar: MaintenanceCalendar;
  observer?: PassThroughObserver;
}

export function pacerSettings(config: Config): PacerSettings {
  const { pacing, queue } = config.api.passThrough;
  return { ...pacing, maxWaitMs: queue.maxWaitMs, maxQueue: queue.maxLength };
}

function passThroughSettings(config: Config): PassThroughSettings {
  const { allowTrading, timeoutMs, maxResponseBytes, cache } = config.api.passThrough;
  return { allowTrading, timeoutMs, maxResponseBytes, ttlMs: cache.ttlMs };
}

/**
 * The way to IBKR for local apps: one pacer (IBKR's limits, shared by every app), one cache,
 * one kept-alive connection pool to the gateway. api.passThrough changes apply live. A new
 * gateway process means a new session and maybe a new certificate: the pool and the cache
 * are dropped then.
 */
export class IbkrService implements Service {
  readonly name = 'ibkr';
  readonly dependsOn = ['gateway', 'supervisor', 'calendar', 'session'];
  readonly pacer: Pacer;
  readonly cache: ResponseCache;
  readonly upstream: GatewayUpstream;
  readonly passThrough: PassThrough;
  readonly #ctx: DaemonContext;

  constructor(ctx: DaemonContext, deps: IbkrDeps) {
    this.#ctx = ctx;
    const config = ctx.config();
    const { supervisor } = deps.supervisor;
    const gateway = () => deps.gateway.current();
    this.pacer = new Pacer(pacerSettings(config), {
      onPenalty: (until) => ctx.record({
        type: 'ibkr.penalty', level: 'warn',
        message: `the gateway answered 429: app calls are held until ${new Date(until).toISOString()} (IBKR's penalty box)`,
        data: { until: new Date(until).toISOString() },
      }),
    });
    this.cache = new ResponseCache(config.api.passThrough.cache);
    this.upstream = new GatewayUpstream({ baseUrl: () => gateway().baseUrl(), ca: () => gateway().ca() });
    const session = () => deps.session.keeper()?.status() ?? null;
    this.passThrough = new PassThrough({
      upstream: this.upstream,
      pacer: this.pacer,
      cache: this.cache,
      settings: passThroughSettings(config),
      gate: () => checkGate({ gatewayState: () => supervisor.status().state, session, calendar: deps.calendar, penaltyUntil: () => this.pacer.penaltyUntil() }),
      penaltyMs: () => this.#ctx.config().session.penaltyBoxMs,
      onSessionLost: () => deps.session.keeper()?.checkNow(),
      inMaintenance: () => deps.calendar.current(Date.now()) !== null || session()?.maintenanceWindow != null,
      observer: deps.observer,
    });
    supervisor.on('ready', () => { this.upstream.reset(); this.cache.clear(); });
    supervisor.on('exit', () => this.cache.clear());
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    this.pacer.close();
    this.upstream.close();
  }

  async reconfigure({ next }: ConfigUpdate): Promise<void> {
    this.pacer.reconfigure(pacerSettings(next));
    this.cache.setLimits(next.api.passThrough.cache);
    this.passThrough.reconfigure(passThroughSettings(next));
  }
}
