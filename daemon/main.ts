/**
 * The composition root: the daemon is this list of services. Each is started after what it
 * depends on and stopped in reverse (lifecycle/registry.ts); a config edit reaches the service
 * that owns each changed key (config/owners.ts). Signals and exit codes live in the CLI
 * (cli/commands/daemon.ts).
 */
import type { FastifyInstance } from 'fastify';
import { loadConfig } from './config/load.js';
import type { Config } from './config/types.js';
import type { ManagedGateway } from './gateway/index.js';
import { DaemonContext } from './lifecycle/daemon-context.js';
import { ServiceRegistry } from './lifecycle/registry.js';
import { createDaemonLogger, type Logger } from './logger.js';
import { ApiService } from './services/api-service.js';
import { CalendarService } from './services/calendar-service.js';
import { ConfigWatchService } from './services/config-watch-service.js';
import { DaemonDirService } from './services/daemon-dir.js';
import { GatewayService } from './services/gateway-service.js';
import { HistoryService } from './services/history-service.js';
import { LoginLifecycle } from './services/login-lifecycle.js';
import { MaintenanceLifecycle } from './services/maintenance-lifecycle.js';
import { IbkrService } from './services/ibkr-service.js';
import { MetricsService } from './services/metrics-service.js';
import { NotifyService } from './services/notify-service.js';
import { SessionService } from './services/session-service.js';
import { StartupService } from './services/startup-service.js';
import { StoreService } from './services/store-service.js';
import { SupervisorService } from './services/supervisor-service.js';
import { TokenService } from './services/token-service.js';
import { VaultLifecycle } from './services/vault-lifecycle.js';
import type { Keeper } from './services/session-keepers.js';
import type { Store } from './store/store.js';
import type { Supervisor } from './supervisor/index.js';

export interface DaemonOptions {
  configFile?: string | null;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logger?: Logger;
}

export interface Daemon {
  config(): Config;
  apiUrl: string;
  adminToken: string;
  supervisor: Supervisor;
  session(): Keeper | null;
  store: Store;
  gateway(): ManagedGateway;
  app: FastifyInstance;
  /** Stops every service in reverse order (the gateway group included). Idempotent. */
  shutdown(reason: string): Promise<void>;
}

export async function startDaemon(options: DaemonOptions = {}): Promise<Daemon> {
  const loaded = loadConfig({ file: options.configFile, env: options.env, cwd: options.cwd });
  const logger = options.logger ?? await createDaemonLogger(loaded.config.logging);
  const ctx = new DaemonContext(loaded, logger, options);

  const daemonDir = new DaemonDirService(ctx);
  const store = new StoreService(ctx);
  const vault = new VaultLifecycle(ctx);
  const versions = MaintenanceLifecycle.versions(ctx);
  // The login gate is the session keeper, built below: called only at a launch, after the start.
  const gateway = new GatewayService(ctx, {
    credentials: () => vault.vault.getCredentials(), loginGate: (): Promise<void> => session.admitLogin(), home: () => versions.activeHome(),
  });
  const supervisor = new SupervisorService(ctx, { store: store.store, gateway });
  const calendar = new CalendarService(ctx);
  // A getter where a service reads one built after it (the keeper is rebuilt by config edits anyway).
  const metrics = new MetricsService(ctx, { supervisor: supervisor.supervisor, store: store.store, keeper: (): Keeper | null => session.keeper(), ibkr: (): IbkrService => ibkr });
  const ibkr = new IbkrService(ctx, { gateway, supervisor, calendar: calendar.calendar, keeper: (): Keeper | null => session.keeper(), observer: metrics.recorder });
  const login = new LoginLifecycle(ctx, { gateway, vault: vault.vault });
  const session = new SessionService(ctx, { gateway, login, supervisor, calendar: calendar.calendar, vault: vault.vault, pacer: ibkr.pacer });
  const notify = new NotifyService(ctx, { store: store.store, secrets: (name) => vault.vault.getSecret(name), dependsOn: ['vault'] });
  const maintenance = new MaintenanceLifecycle(ctx, {
    store: store.store, calendar: calendar.calendar, gateway, supervisor: supervisor.supervisor, session: () => session.keeper(),
    notifier: notify.notifier, vault: vault.vault, versions,
  });
  const tokens = new TokenService(ctx);
  const configWatch = new ConfigWatchService(ctx);
  const history = new HistoryService(ctx, { supervisor: supervisor.supervisor, lastTickle: () => session.keeper()?.status() ?? null });
  const api = new ApiService(ctx, ['store', 'supervisor', 'gateway', 'session', 'notifier', 'vault', 'maintenance', 'ibkr', 'metrics', 'tokens', 'config-watch', 'history', 'login'], () => ({
    configStatus: () => configWatch.status(),
    supervisor: supervisor.supervisor,
    store: store.store,
    gatewayInfo: () => gateway.current().info() as unknown as Record<string, unknown>,
    get session() { return session.keeper(); },
    notifier: notify.notifier,
    vault: vault.vault,
    maintenance: maintenance.ports(),
    get access() { return gateway.current().access; },
    get tls() { return gateway.current().tls; },
    get conf() { return gateway.current().conf; },
    ibkr: ibkr.port,
    metrics: metrics.port,
    tokens: tokens.port,
    statusHistory: history.history,
    login: login.ports(),
  }));
  const startup = new StartupService(ctx, {
    supervisor: supervisor.supervisor, store: store.store, gatewayShouldRun: () => maintenance.service.gatewayShouldRun(),
    dependsOn: ['supervisor', 'session', 'notifier', 'maintenance', 'api'],
  });

  const registry = new ServiceRegistry(
    [daemonDir, store, vault, notify, gateway, supervisor, calendar, metrics, ibkr, login, session, history, maintenance, tokens, configWatch, api, startup],
    { onEvent: ctx.record, defaultStopTimeoutMs: 10_000 },
  );
  configWatch.onChange((next, change) => registry.reconfigure(next, change));
  await registry.startAll();

  let closing: Promise<void> | null = null;
  return {
    config: () => ctx.config(),
    apiUrl: api.url,
    adminToken: api.adminToken,
    supervisor: supervisor.supervisor,
    session: () => session.keeper(),
    store: store.store,
    gateway: () => gateway.current(),
    app: api.app,
    shutdown(reason: string) {
      closing ??= (async () => {
        logger.info({ reason }, 'shutting down');
        await registry.stopAll(reason);
      })();
      return closing;
    },
  };
}
