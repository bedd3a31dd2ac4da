/**
 * An IB Gateway kind wired the way daemon/main.ts is to wire it (see the wiring note in
 * daemon/tws/README.md): config from a real YAML file through loadConfig, the kind's gateway
 * (createGateway), a Supervisor launching it, and the TWS session keeper fed by the
 * supervisor's ready/exit/line events. Short timers; a temp data dir; the teardown leaves no
 * process behind. Runs compiled code for the children (`npm run build` first).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadConfig } from '../../daemon/config/load.js';
import type { Config } from '../../daemon/config/types.js';
import type { ServiceEvent } from '../../daemon/events.js';
import { createGateway } from '../../daemon/gateway/index.js';
import type { TwsGateway } from '../../daemon/gateway/tws-gateway.js';
import type { TwsCredentials } from '../../daemon/gateway/types.js';
import type { WindowCalendar } from '../../daemon/maintenance/calendar.js';
import { Supervisor, type SupervisorState, type TransitionEvent } from '../../daemon/supervisor/index.js';
import { TwsSessionKeeper } from '../../daemon/tws/tws-keeper.js';
import { freePort } from '../../testkit/ports.js';
import { groupPids, killQuietly } from './process-table.js';
import { rawRequest } from './sim.js';
import { tempDir } from './temp-dir.js';
import { waitFor } from '../../testkit/wait-for.js';

interface Tap {
  teardown(fn: () => unknown): void;
}

export interface TwsHarnessOptions {
  kind?: 'simulated-tws' | 'ibgateway';
  /** Merged over the harness's YAML (deep for gateway, session). */
  gateway?: Record<string, unknown>;
  ibc?: Record<string, unknown>;
  ibgateway?: Record<string, unknown>;
  session?: Record<string, unknown>;
  credentials?: TwsCredentials | null;
  calendar?: WindowCalendar;
  /** Extra env for the gateway (e.g. IBGW_SIM_TWS_CONFIG for kind ibgateway). */
  env?: Record<string, string>;
  autoStart?: boolean;
}

export interface TwsHarness {
  dir: string;
  dataDir: string;
  config: Config;
  gateway: TwsGateway;
  sup: Supervisor;
  keeper: TwsSessionKeeper;
  port: number;
  commandPort: number;
  events: ServiceEvent[];
  transitions: TransitionEvent[];
  pgids: Set<number>;
  lines: string[];
  waitState(state: SupervisorState, timeoutMs?: number): Promise<void>;
  waitSession(state: string, timeoutMs?: number): Promise<void>;
  control(path: string, body?: unknown): Promise<any>;
}

export async function twsHarness(t: Tap, options: TwsHarnessOptions = {}): Promise<TwsHarness> {
  const dir = tempDir(t, 'ibgw-tws-');
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const [port, commandPort] = [await freePort(), await freePort()];
  const yaml = {
    dataDir,
    gateway: {
      kind: options.kind ?? 'simulated-tws', port, autoStart: false, startTimeoutMs: 15000, stopGraceMs: 500, readyProbeIntervalMs: 25,
      env: { NODE_OPTIONS: '', ...options.env },
      restart: { backoff: { initialMs: 50, maxMs: 400, factor: 2, jitter: 0 }, stableAfterMs: 60000, maxRestarts: 5, windowMs: 60000 },
      ibc: { commandServerPort: commandPort, stopTimeoutMs: 3000, ...options.ibc },
      ibgateway: { probe: { clientId: 987654, intervalMs: 200, timeoutMs: 150 }, ...options.ibgateway },
      ...options.gateway,
    },
    session: { hangThreshold: 2, requestTimeoutMs: 1000, loginBudget: { perDay: 20, perHour: 10 }, ...options.session },
    conf: { keepVersions: 5 },
  };
  const file = join(dir, 'ibgw.yaml');
  writeFileSync(file, stringify(yaml));
  const { config } = loadConfig({ file, env: {}, cwd: dir });

  const events: ServiceEvent[] = [];
  const onEvent = (e: ServiceEvent) => void events.push(e);
  // Late-bound, as in main.ts: the kind's login gate is the keeper built after it.
  const late: { keeper?: TwsSessionKeeper; sup?: Supervisor } = {};
  const gateway = createGateway(config, {
    dataDir, onEvent,
    requestRestart: (reason) => void late.sup?.restart(reason).catch(() => undefined),
    credentials: options.credentials === undefined ? undefined : async () => options.credentials ?? null,
    loginGate: async () => late.keeper?.admitLogin(),
    watch: { stabilityMs: 30 },
  }) as TwsGateway;
  const g = config.gateway;
  const sup = new Supervisor({
    dataDir, startTimeoutMs: g.startTimeoutMs, stopGraceMs: g.stopGraceMs, readyProbeIntervalMs: g.readyProbeIntervalMs, restart: g.restart,
    resources: g.resources, logs: g.logs, launch: () => gateway.launch(), redactLine: gateway.redactLine, onEvent, random: () => 0.5,
  });
  const keeper = new TwsSessionKeeper({
    config: config.session,
    probe: { host: g.host, port: g.port, clientId: g.ibgateway.probe.clientId, intervalMs: g.ibgateway.probe.intervalMs, timeoutMs: g.ibgateway.probe.timeoutMs },
    gateway: {
      isRunning: () => ['starting', 'running'].includes(sup.status().state),
      isReady: () => sup.status().state === 'running',
      restart: (reason, options) => sup.restart(reason, options).then(() => undefined),
      stop: (reason, stopOptions) => sup.stop(reason, stopOptions),
    },
    commandServerPort: g.ibc.commandServerPort,
    calendar: options.calendar,
    budgetPath: join(dataDir, 'login-budget.json'),
    historyPath: join(dataDir, 'session-history.json'),
    onEvent, gatewayPollMs: 50, random: () => 0.5,
  });
  Object.assign(late, { keeper, sup });
  const transitions: TransitionEvent[] = [];
  const pgids = new Set<number>();
  const lines: string[] = [];
  sup.on('transition', (e) => {
    transitions.push(e);
    if (e.pid) pgids.add(e.pid);
  });
  sup.on('ready', (e) => {
    pgids.add(e.pid);
    keeper.onGatewayReady();
  });
  sup.on('exit', (e) => keeper.onGatewayDown(e));
  sup.on('line', (l) => {
    lines.push(l.text);
    keeper.onGatewayLine(l.text);
  });
  t.teardown(async () => {
    await keeper.stop();
    await sup.close().catch(() => {});
    await gateway.close();
    for (const pg of pgids) killQuietly({ groups: [pg], pids: groupPids(pg) });
  });
  keeper.start();
  if (options.autoStart !== false) await sup.start('test');

  const readInfo = () => JSON.parse(readFileSync(gateway.simControlFile ?? join(dir, 'sim-tws-control.json'), 'utf8')) as { port: number; token: string };
  return {
    dir, dataDir, config, gateway, sup, keeper, port, commandPort, events, transitions, pgids, lines,
    waitState: async (state, timeoutMs = 15_000) => void (await waitFor(() => sup.status().state === state, timeoutMs, `supervisor ${state}; at ${sup.status().state}`)),
    waitSession: async (state, timeoutMs = 15_000) => void (await waitFor(() => keeper.status().state === state, timeoutMs, `session ${state}; at ${keeper.status().state}: ${keeper.status().reason}`)),
    async control(path, body) {
      const info = await waitFor(() => readInfo(), 10_000, 'the simulator control file');
      const res = await rawRequest(`http://127.0.0.1:${info.port}${path}`, body === undefined ? 'GET' : 'POST', {
        headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (res.status !== 200) throw new Error(`control ${path} answered ${res.status}: ${res.body}`);
      return res.json();
    },
  };
}
