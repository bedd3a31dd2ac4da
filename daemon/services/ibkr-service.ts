import type { IbkrPort } from '../api/services.js';
import { isTwsKind } from '../config/tws-schema.js';
import type { Config } from '../config/types.js';
import { ERR_IBKR_NO_WEB_API } from '../errors.js';
import { testConnection } from '../ibkr/connection-check.js';
import { checkGate } from '../ibkr/gateway-gate.js';
import { Pacer, type PacerSettings } from '../ibkr/pacer.js';
import { PassThrough, type PassThroughObserver, type PassThroughSettings } from '../ibkr/pass-through.js';
import { loadPortfolio } from '../ibkr/portfolio.js';
import { ResponseCache } from '../ibkr/response-cache.js';
import { GatewayUpstream } from '../ibkr/upstream.js';
import type { DaemonContext } from '../lifecycle/daemon-context.js';
import type { ConfigUpdate, Service } from '../lifecycle/service.js';
import { memoizedCalendar } from '../maintenance/calendar-memo.js';
import type { MaintenanceCalendar } from '../maintenance/index.js';
import type { Keeper } from './session-keepers.js';
import type { GatewayService } from './gateway-service.js';
import type { SupervisorService } from './supervisor-service.js';

interface IbkrDeps {
  gateway: GatewayService;
  supervisor: SupervisorService;
  /**
   * Read at each call, not held: the keeper is rebuilt by config edits. A getter also lets this
   * service be built before the session service, which takes the pacer for the keeper's calls.
   */
  keeper: () => Keeper | null;
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
  /** Listed before the session service: the keeper's calls use the pacer until the keeper stops. */
  readonly dependsOn = ['gateway', 'supervisor', 'calendar'];
  readonly pacer: Pacer;
  readonly cache: ResponseCache;
  readonly upstream: GatewayUpstream;
  readonly passThrough: PassThrough;
  /** What the API's routes use: the pass-through, the portfolio and the connection check. */
  readonly port: IbkrPort;
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
    const session = () => deps.keeper()?.status() ?? null;
    // Asked on every app call: the memo answers in microseconds until the next window edge.
    const calendar = memoizedCalendar(deps.calendar);
    this.passThrough = new PassThrough({
      upstream: this.upstream,
      pacer: this.pacer,
      cache: this.cache,
      settings: passThroughSettings(config),
      gate: () => checkGate({ gatewayState: () => supervisor.status().state, session, calendar, penaltyUntil: () => this.pacer.penaltyUntil() }),
      penaltyMs: () => this.#ctx.config().session.penaltyBoxMs,
      unsupported: () => {
        const { kind } = this.#ctx.config().gateway;
        return isTwsKind(kind) ? ERR_IBKR_NO_WEB_API(kind) : null;
      },
      onSessionLost: () => deps.keeper()?.checkNow(),
      inMaintenance: () => calendar.current(Date.now()) !== null || session()?.maintenanceWindow != null,
      observer: deps.observer,
    });
    const forward = this.passThrough.forward.bind(this.passThrough);
    this.port = {
      forward,
      portfolio: (accountId) => loadPortfolio(forward, accountId),
      testConnection: () => testConnection({ gatewayState: () => supervisor.status().state, sessionState: session, forward }),
    };
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
