/**
 * The session keeper for the gateway kind: the Client Portal keeper (tickle, reauthenticate,
 * browser login) or the TWS keeper (API handshake, IBC's login lines and command server). Both
 * take the supervisor's ready/exit and answer status the same way, so status, /readyz, events
 * and notifications do not care which gateway runs.
 */
import { join } from 'node:path';
import type { Config } from '../config/types.js';
import { isTwsKind } from '../config/tws-schema.js';
import type { DaemonContext } from '../lifecycle/daemon-context.js';
import type { MaintenanceCalendar } from '../maintenance/index.js';
import { SessionKeeper } from '../session/index.js';
import { isUp, type Supervisor } from '../supervisor/index.js';
import { TwsSessionKeeper } from '../tws/tws-keeper.js';
import type { CallPacer } from '../ibkr/pacer.js';
import type { GatewayService } from './gateway-service.js';
import type { LoginLifecycle } from './login-lifecycle.js';

/** What the daemon asks of either keeper. */
export type Keeper = SessionKeeper | TwsSessionKeeper;

export interface KeeperDeps {
  gateway: GatewayService;
  /** The browser login driver (Client Portal kinds). */
  login: LoginLifecycle;
  supervisor: Supervisor;
  calendar: MaintenanceCalendar;
  /** IBKR's pacing shared with the apps (Client Portal only: the TWS API is not paced here). */
  pacer?: CallPacer;
}

export function buildKeeper(ctx: DaemonContext, config: Config, deps: KeeperDeps): Keeper {
  const { supervisor } = deps;
  const control = {
    isRunning: () => isUp(supervisor.status().state),
    isReady: () => supervisor.status().state === 'running',
    restart: (reason: string, options?: { graceMs?: number }) => supervisor.restart(reason, options).then(() => undefined),
  };
  const common = {
    config: config.session,
    calendar: deps.calendar,
    budgetPath: join(config.dataDir, 'login-budget.json'),
    historyPath: join(config.dataDir, 'session-history.json'),
    onEvent: ctx.record,
    logger: ctx.child('session'),
  };
  const g = config.gateway;
  if (isTwsKind(g.kind)) {
    const { clientId, intervalMs, timeoutMs } = g.ibgateway.probe;
    return new TwsSessionKeeper({
      ...common,
      probe: { host: g.host, port: g.port, clientId, intervalMs, timeoutMs },
      // stop() is what cuts IBC's own retry of a rejected password.
      gateway: { ...control, stop: (reason: string, options?: { graceMs?: number }) => supervisor.stop(reason, options) },
      commandServerPort: g.ibc.commandServerPort,
    });
  }
  const gateway = () => deps.gateway.current();
  return new SessionKeeper({
    ...common, baseUrl: () => gateway().baseUrl(), ca: () => gateway().ca(), gateway: control,
    login: deps.login.driver.login, loginUnavailable: deps.login.unavailable, pacer: deps.pacer,
  });
}
