import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { resolveAdminToken } from './api/admin-token.js';
import { startServer } from './api/server.js';
import type { ConfigChange } from './config/diff.js';
import { loadConfig } from './config/load.js';
import type { Config } from './config/types.js';
import { ConfigWatcher } from './config/watch.js';
import { acquireDaemonLock } from './daemon-lock.js';
import type { EventSink, ServiceEvent } from './events.js';
import { createGateway, type ManagedGateway } from './gateway/index.js';
import { createLogger, type Logger } from './logger.js';
import { packageVersion } from './package-root.js';
import { Store } from './store/store.js';
import { IbkrResetSource, MaintenanceCalendar } from './maintenance/index.js';
import { SessionKeeper } from './session/index.js';
import { Supervisor } from './supervisor/index.js';

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
  session(): SessionKeeper | null;
  store: Store;
  gateway(): ManagedGateway;
  app: FastifyInstance;
  /** Stop the gateway group, close the API, flush the store. Idempotent. */
  shutdown(reason: string): Promise<void>;
}

function supervisorOptions(config: Config) {
  const g = config.gateway;
  return {
    dataDir: config.dataDir,
    startTimeoutMs: g.startTimeoutMs,
    stopGraceMs: g.stopGraceMs,
    readyProbeIntervalMs: g.readyProbeIntervalMs,
    restart: g.restart,
    resources: g.resources,
    logs: g.logs,
  };
}

/** Wires config → services → store → API. The process-level concerns (signals, exit codes) live in cli.ts. */
export async function startDaemon(options: DaemonOptions = {}): Promise<Daemon> {
  const loaded = loadConfig({ file: options.configFile, env: options.env, cwd: options.cwd });
  let config = loaded.config;
  const logger = options.logger ?? createLogger(config.logging.level);
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const releaseLock = acquireDaemonLock(config.dataDir);

  const store = new Store({ dataDir: config.dataDir, maxEvents: config.store.maxEvents });
  await store.open();
  const record: EventSink = (event: ServiceEvent) => {
    store.record(event);
    logger[event.level]({ event: event.type, ...event.data }, event.message);
  };
  store.on('write-failed', (err) => logger.error({ err }, 'state file write failed'));

  const admin = resolveAdminToken(config.dataDir, options.env ?? process.env);
  if (admin.source === 'generated') logger.info({ file: admin.file }, 'generated an admin token (mode 0600)');

  let supervisor!: Supervisor;
  const gatewayActive = () => ['starting', 'running', 'backoff'].includes(supervisor.status().state);
  // A change that needs a restart never starts a gateway an operator stopped (or clears fatal):
  // it applies at the next start.
  const plannedRestart = (reason: string) => {
    if (!gatewayActive()) {
      record({ type: 'gateway.restart-deferred', level: 'info', message: `${reason}: applies at the next start (gateway is ${supervisor.status().state})`, data: { reason } });
      return;
    }
    void supervisor.restart(reason).catch((err: Error) => logger.error({ err }, 'planned restart failed'));
  };
  const makeGateway = (cfg: Config) => createGateway(cfg, {
    dataDir: cfg.dataDir,
    logger: logger.child({ component: 'gateway' }),
    onEvent: record,
    requestRestart: plannedRestart,
  });
  // Replaced when a config edit changes how the gateway is launched; everything reads it through this binding.
  let gateway = makeGateway(config);
  // The gateway still running after such a swap prints the old secrets until its restart.
  let retired: ManagedGateway | null = null;
  supervisor = new Supervisor({
    ...supervisorOptions(config),
    launch: () => gateway.launch(),
    redactLine: (line: string) => gateway.redactLine(retired ? retired.redactLine(line) : line),
    onEvent: record,
    logger: logger.child({ component: 'supervisor' }),
  });
  supervisor.on('transition', (t) => {
    const at = new Date(t.at).toISOString();
    store.updateGateway({ lastState: t.to, lastTransitionAt: at });
    if (t.to === 'backoff') store.updateGateway({ restarts: store.data.gateway.restarts + 1 });
    if (t.exitCode !== null || t.signal !== null) store.updateGateway({ lastExit: { code: t.exitCode, signal: t.signal, at, reason: t.reason } });
  });

  // IBKR's own resets; admin-scheduled windows join this calendar as another source.
  const calendar = new MaintenanceCalendar([new IbkrResetSource(config.session.resets)]);
  const makeKeeper = (cfg: Config): SessionKeeper | null => {
    if (!cfg.session.enabled) return null;
    const s = cfg.session;
    return new SessionKeeper({
      config: s,
      baseUrl: () => gateway.baseUrl(),
      ca: () => gateway.ca(),
      gateway: {
        isRunning: () => ['starting', 'running'].includes(supervisor.status().state),
        isReady: () => supervisor.status().state === 'running',
        restart: (reason: string) => supervisor.restart(reason).then(() => undefined),
      },
      calendar,
      budgetPath: join(cfg.dataDir, 'login-budget.json'),
      historyPath: join(cfg.dataDir, 'session-history.json'),
      onEvent: record,
      logger: logger.child({ component: 'session' }),
      livenessIntervalMs: s.livenessIntervalMs,
      livenessTimeoutMs: s.livenessTimeoutMs,
      suspectProbeMs: s.suspectProbeMs,
      loginTimeoutMs: s.loginTimeoutMs,
    });
  };
  let keeper = makeKeeper(config);
  supervisor.on('ready', () => {
    retired = null;
    keeper?.onGatewayReady();
  });
  supervisor.on('exit', () => keeper?.onGatewayDown());

  const reconciled = await supervisor.reconcile();
  logger.info({ reconciled }, 'reconciled leftovers of the previous run');

  let watcher: ConfigWatcher | null = null;
  const configStatus = () => ({ file: loaded.file, ...(watcher ? watcher.status() : {}) });

  const { app, url } = await startServer({
    host: config.api.host,
    port: config.api.port,
    logger,
    onEvent: record,
    auth: { maxFailures: config.api.authMaxFailures, failureWindowMs: config.api.authFailureWindowMs, failureDelayMs: config.api.authFailureDelayMs },
    services: {
      config: () => config,
      configStatus,
      supervisor,
      store,
      gatewayInfo: () => gateway.info() as unknown as Record<string, unknown>,
      get session() { return keeper; },
      get access() { return gateway.access; },
      get tls() { return gateway.tls; },
      get conf() { return gateway.conf; },
      daemon: { pid: process.pid, version: packageVersion, startedAt: Date.now() },
      adminToken: admin.token,
    },
  });
  logger.info({ url }, 'API listening');

  if (loaded.file) {
    watcher = new ConfigWatcher({
      file: loaded.file,
      env: options.env,
      cwd: options.cwd,
      initial: config,
      onEvent: record,
      onChange: async (next: Config, change: ConfigChange) => {
        config = next;
        logger.level = next.logging.level;
        const { dataDir: _unused, logs: _logs, ...timings } = supervisorOptions(next);
        supervisor.reconfigure(timings);
        if (change.paths.some((p) => p.startsWith('session.'))) {
          // The keeper is rebuilt with the new settings; its login budget and history live in files and carry over.
          await keeper?.stop();
          calendar.addSource(new IbkrResetSource(next.session.resets));
          keeper = makeKeeper(next);
          keeper?.start();
          if (keeper && supervisor.status().state === 'running') keeper.onGatewayReady();
        }
        if (change.effect === 'daemon-restart') {
          record({ type: 'config.pending', level: 'warn', message: `restart the daemon to apply: ${change.paths.join(', ')}`, data: { paths: change.paths } });
        } else if (change.effect === 'gateway-restart') {
          // The gateway reads its conf and keystore only at start: rebuild the launch, then a planned restart.
          const old = gateway;
          gateway = makeGateway(next);
          retired = old;
          await old.close();
          record({ type: 'config.restart', level: 'info', message: `config change needs a gateway restart (${change.paths.join(', ')})`, data: { paths: change.paths } });
          plannedRestart(`config changed: ${change.paths.join(', ')}`);
        }
      },
    });
    await watcher.start();
  }

  keeper?.start();
  if (config.gateway.autoStart) {
    void supervisor.start('daemon start').catch((err: Error) => logger.error({ err }, 'gateway start failed'));
  }

  let closing: Promise<void> | null = null;
  const shutdown = (reason: string) => {
    closing ??= (async () => {
      logger.info({ reason }, 'shutting down');
      // Each step runs even when an earlier one failed: the gateway group must be stopped and
      // the store flushed whatever else went wrong.
      const step = async (name: string, fn: () => unknown) => {
        try {
          await fn();
        } catch (err) {
          logger.error({ err, step: name }, 'shutdown step failed');
        }
      };
      await step('config watcher', () => watcher?.close());
      await step('session keeper', () => keeper?.stop());
      await step('supervisor', () => supervisor.close());
      await step('api', () => app.close());
      await step('gateway', () => gateway.close());
      record({ type: 'daemon.stopped', level: 'info', message: `daemon stopped: ${reason}` });
      await step('store', () => store.close());
      releaseLock();
    })();
    return closing;
  };

  return { config: () => config, apiUrl: url, adminToken: admin.token, supervisor, session: () => keeper, store, gateway: () => gateway, app, shutdown };
}
