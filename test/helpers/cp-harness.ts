/**
 * The Client Portal side wired the way the daemon wires it (daemon/services/session-keepers.ts):
 * config from a real YAML file through loadConfig, the simulated kind's gateway (createGateway:
 * managed conf.yaml, generated keystore, the simulator as a real HTTPS process), a Supervisor
 * launching it, and the SessionKeeper fed by the supervisor's ready/exit. Short timers; a temp
 * data dir; the teardown leaves no process behind. Runs compiled code (`npm run build` first).
 *
 * The simulated kind takes IBKR's pacing as shipped (10/s, /tickle 1/s): timers here stay under it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../../daemon/config/load.js';
import type { Config } from '../../daemon/config/types.js';
import type { ServiceEvent } from '../../daemon/events.js';
import { createGateway, type ManagedGateway } from '../../daemon/gateway/index.js';
import type { WindowCalendar } from '../../daemon/maintenance/calendar.js';
import { SessionKeeper, type SessionKeeperOptions } from '../../daemon/session/index.js';
import { isUp, Supervisor, type TransitionEvent } from '../../daemon/supervisor/index.js';
import { freePort } from '../../testkit/ports.js';
import { waitFor } from '../../testkit/wait-for.js';
import { groupPids, killQuietly } from './process-table.js';
import { rawRequest } from './sim.js';
import { tempDir, type Teardown } from './temp-dir.js';

export interface CpHarnessOptions {
  /** Merged over the harness's gateway section. */
  gateway?: Record<string, unknown>;
  /** Merged over the harness's session section. */
  session?: Record<string, unknown>;
  calendar?: WindowCalendar;
  /** The keeper's clock (the supervisor keeps the real one). */
  now?: () => number;
  login?: SessionKeeperOptions['login'];
}

export interface CpHarness {
  dataDir: string;
  config: Config;
  gateway: ManagedGateway;
  sup: Supervisor;
  keeper: SessionKeeper;
  events: ServiceEvent[];
  transitions: TransitionEvent[];
  /** Every graceMs the keeper asked a restart for (undefined: the configured grace). */
  restartGraces: Array<number | undefined>;
  waitSession(state: string, timeoutMs?: number): Promise<void>;
  /** The simulator's control channel (the running process's; a restart brings a new one). */
  control(path: string, body?: unknown): Promise<any>;
  /** The gateway's own pages and API, verified with the daemon's CA. */
  request(method: string, path: string, options?: { body?: string; headers?: Record<string, string> }): Promise<{ status: number; body: string }>;
}

export async function cpHarness(t: Teardown, options: CpHarnessOptions = {}): Promise<CpHarness> {
  const dir = tempDir(t, 'ibgw-cp-');
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const port = await freePort();
  const yaml = {
    dataDir,
    gateway: {
      kind: 'simulated', port, startTimeoutMs: 20_000, stopGraceMs: 2000, readyProbeIntervalMs: 25,
      env: { NODE_OPTIONS: '' },
      restart: { backoff: { initialMs: 50, maxMs: 400, factor: 2, jitter: 0 }, stableAfterMs: 60_000, maxRestarts: 5, windowMs: 60_000 },
      ...options.gateway,
    },
    session: {
      tickleIntervalMs: 1500, requestTimeoutMs: 1000, livenessIntervalMs: 300, livenessTimeoutMs: 1000, suspectProbeMs: 50,
      reauthPollMs: 250, recoveryBackoff: { initialMs: 200, maxMs: 1000, factor: 2, jitter: 0 }, authCheckIntervalMs: 0,
      ...options.session,
    },
  };
  const file = join(dir, 'ibgw.yaml');
  writeFileSync(file, stringify(yaml));
  const { config } = loadConfig({ file, env: {}, cwd: dir });

  const events: ServiceEvent[] = [];
  const onEvent = (e: ServiceEvent) => void events.push(e);
  const gateway = createGateway(config, { dataDir, onEvent, watch: false });
  const g = config.gateway;
  const sup = new Supervisor({
    dataDir, startTimeoutMs: g.startTimeoutMs, stopGraceMs: g.stopGraceMs, readyProbeIntervalMs: g.readyProbeIntervalMs, restart: g.restart,
    resources: g.resources, logs: g.logs, launch: () => gateway.launch(), redactLine: gateway.redactLine, onEvent, random: () => 0.5,
  });
  const restartGraces: Array<number | undefined> = [];
  const keeper = new SessionKeeper({
    config: config.session,
    baseUrl: () => gateway.baseUrl(),
    ca: () => gateway.ca(),
    // As daemon/services/session-keepers.ts adapts the supervisor.
    gateway: {
      isRunning: () => isUp(sup.status().state),
      isReady: () => sup.status().state === 'running',
      restart: (reason, o) => {
        restartGraces.push(o?.graceMs);
        return sup.restart(reason, o).then(() => undefined);
      },
    },
    calendar: options.calendar,
    budgetPath: join(dataDir, 'login-budget.json'),
    historyPath: join(dataDir, 'session-history.json'),
    onEvent, gatewayPollMs: 50, random: () => 0.5, now: options.now, login: options.login,
  });
  const transitions: TransitionEvent[] = [];
  const pgids = new Set<number>();
  sup.on('transition', (e) => {
    transitions.push(e);
    if (e.pid) pgids.add(e.pid);
  });
  sup.on('ready', (e) => {
    pgids.add(e.pid);
    keeper.onGatewayReady();
  });
  sup.on('exit', () => keeper.onGatewayDown());
  t.teardown(async () => {
    await keeper.stop();
    await sup.close().catch(() => {});
    await gateway.close();
    for (const pg of pgids) killQuietly({ groups: [pg], pids: groupPids(pg) });
  });
  keeper.start();
  await sup.start('test');

  const controlFile = gateway.info().simControlFile!;
  const readInfo = (): { port: number; token: string; pid: number } | null => {
    try {
      const info = JSON.parse(readFileSync(controlFile, 'utf8')) as { port: number; token: string; pid: number };
      return info.pid === sup.status().pid ? info : null; // not the file a previous process left
    } catch {
      return null;
    }
  };
  const ca = (await gateway.ca())!;
  return {
    dataDir, config, gateway, sup, keeper, events, transitions, restartGraces,
    waitSession: async (state, timeoutMs = 20_000) => void (await waitFor(() => keeper.status().state === state, timeoutMs, `session ${state}; at ${keeper.status().state}: ${keeper.status().reason}`)),
    async control(path, body) {
      const info = await waitFor(() => readInfo(), 10_000, 'the simulator control file');
      const res = await rawRequest(`http://127.0.0.1:${info.port}${path}`, body === undefined ? 'GET' : 'POST', {
        headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (res.status !== 200) throw new Error(`control ${path} answered ${res.status}: ${res.body}`);
      return res.json();
    },
    request: (method, path, o = {}) => rawRequest(`${gateway.baseUrl()}${path}`, method, { ...o, ca }),
  };
}
