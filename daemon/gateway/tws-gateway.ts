/**
 * The IB Gateway kinds behind the GatewayHandle contract:
 * - ibgateway: a real IB Gateway install under a real IBC, on a virtual display (Xvfb);
 * - simulated-tws: the bundled simulated IB Gateway under the bundled simulated IBC (no display).
 *
 * Before every launch: the login gate (every launch is a full IBKR login), the credentials, the
 * managed config.ini (0600) and jts.ini TrustedIPs. The launch spec carries a beforeStop hook
 * that sends IBC's STOP, so a stop logs out cleanly before the group is signalled.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../config/types.js';
import { ERR_TWS_CREDENTIALS } from '../errors.js';
import { writeFileAtomic } from '../atomic-write.js';
import { ibcCommand } from '../tws/ibc-command.js';
import { autoRestartTime } from './kinds/ibc-auto-restart.js';
import { ibcOwnedKeys, JTS_INI_TEMPLATE, jtsOwnedKeys } from './kinds/ibc-settings.js';
import { bundledIbcHome, checkIbcHome, ensureSimInstall, ibcstartArgv, resolveInstall, twsLayout, withXvfb } from './kinds/ibgateway.js';
import { newControlToken } from './kinds/simulated.js';
import type { LaunchSpec } from './launch-spec.js';
import { ManagedIniFile } from './managed-ini.js';
import { createRedactor } from './redact.js';
import type { GatewayDeps, GatewayInfo, ManagedGateway, TwsCredentials, TwsInfo } from './types.js';

/** A managed gateway of an IB Gateway kind: the contract plus its two managed files. */
export interface TwsGateway extends ManagedGateway {
  readonly configIni: ManagedIniFile;
  readonly jtsIni: ManagedIniFile;
  /** The simulator's control info file (simulated-tws), for tests and benchmarks. */
  readonly simControlFile: string | null;
}

const MINIMAL_CONFIG_INI = '# IBC config.ini managed by ibgw-supervisor: the daemon sets its keys; add other IBC settings below.\n';

export function twsGateway(config: Config, deps: GatewayDeps): TwsGateway {
  const gw = config.gateway;
  const simulated = gw.kind === 'simulated-tws';
  const layout = twsLayout(deps.dataDir);
  const ibcHome = simulated ? bundledIbcHome() : (gw.ibc.home ?? '');
  const settingsPath = gw.ibgateway.settingsPath ?? layout.settings;
  const controlToken = newControlToken();
  const baseUrl = `tws://${gw.host}:${gw.port}`;
  let credentials: TwsCredentials | null = null;
  let restartAt: string | null = null;

  const secrets = (): string[] => [
    ...(credentials ? [credentials.password] : []), ...(simulated ? gw.simulator.users.map((u) => u.password) : []), controlToken,
  ];
  const redactLine = createRedactor(secrets);
  const common = { keepVersions: config.conf.keepVersions, driftPolicy: config.conf.driftPolicy, onEvent: deps.onEvent, logger: deps.logger, requestRestart: deps.requestRestart, now: deps.now, watch: deps.watch };

  const configIni = new ManagedIniFile({
    ...common, path: layout.configIni, versionsDir: layout.configVersions, mode: 0o600, label: 'config.ini', restartOnAdopt: true,
    template: async () => {
      // IBC's own commented config.ini is the best base: its comments explain every key.
      return readFile(gw.ibc.template ?? join(ibcHome, 'config.ini'), 'utf8').catch(() => MINIMAL_CONFIG_INI);
    },
    owned: () => ibcOwnedKeys({
      username: credentials?.username ?? '', password: credentials?.password ?? '', mode: tradingMode(), apiPort: gw.port,
      commandServerPort: gw.ibc.commandServerPort, readOnlyApi: gw.ibgateway.readOnlyApi, competing: config.session.competing, autoRestartTime: restartAt,
    }),
  });
  const jtsIni = new ManagedIniFile({
    ...common, path: join(settingsPath, 'jts.ini'), versionsDir: layout.jtsVersions, mode: 0o600, label: 'jts.ini',
    // IB Gateway rewrites its jts.ini itself (window sizes and such): that is no reason to restart it.
    restartOnAdopt: false,
    template: async () => JTS_INI_TEMPLATE,
    owned: () => jtsOwnedKeys(gw.ibgateway.trustedIps, config.access.probeAddress),
  });

  function tradingMode(): 'live' | 'paper' {
    return credentials?.mode ?? gw.ibgateway.tradingMode;
  }

  async function loadCredentials(): Promise<TwsCredentials> {
    const stored = (await deps.credentials?.()) ?? null;
    if (stored) return stored;
    const user = gw.simulator.users[0];
    if (simulated && user) return { username: user.username, password: user.password, mode: user.paper ? 'paper' : 'live' };
    const err = ERR_TWS_CREDENTIALS('none in the vault (store them with `ibgw credentials set`)');
    err.details = { retry: false }; // retrying cannot help until an operator stores them
    throw err;
  }

  async function writeSimConfig(): Promise<void> {
    const body = { users: gw.simulator.users, control: { port: 0, token: controlToken, infoFile: layout.simControl } };
    await writeFileAtomic(layout.simConfig, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 });
  }

  async function argv(): Promise<string[]> {
    const install = simulated ? await ensureSimInstall(layout.simInstall) : resolveInstall(gw.ibgateway.home ?? '');
    const script = await checkIbcHome(ibcHome);
    const args = ibcstartArgv({ script, install, settingsPath, ibcHome, configIni: layout.configIni, mode: tradingMode(), javaPath: gw.ibgateway.javaPath });
    // The simulator has no window to draw; the real gateway needs a display.
    return !simulated && gw.ibc.display === 'xvfb' ? withXvfb(gw.ibc.xvfb, args) : args;
  }

  function env(): Record<string, string> {
    return simulated ? { ...gw.env, IBGW_SIM_NODE: process.execPath, IBGW_SIM_TWS_CONFIG: layout.simConfig } : { ...gw.env };
  }

  function beforeStop(): LaunchSpec['beforeStop'] {
    const port = gw.ibc.commandServerPort;
    if (port === 0) return undefined;
    // IBC answers STOP once it has started closing; the wait for the exit is the supervisor's.
    return { run: async () => void (await ibcCommand('STOP', { port, timeoutMs: Math.min(5000, gw.ibc.stopTimeoutMs) })), timeoutMs: gw.ibc.stopTimeoutMs };
  }

  function twsInfo(): TwsInfo {
    return {
      ibcHome, install: simulated ? layout.simInstall : gw.ibgateway.home, settingsPath, configIni: layout.configIni, jtsIni: jtsIni.path,
      tradingMode: credentials ? tradingMode() : null, readOnlyApi: gw.ibgateway.readOnlyApi,
      trustedIps: jtsOwnedKeys(gw.ibgateway.trustedIps, config.access.probeAddress)[0]!.value.split(','),
      commandServerPort: gw.ibc.commandServerPort, display: simulated ? 'inherit' : gw.ibc.display, autoRestartTime: restartAt,
    };
  }

  return {
    conf: null,
    access: null,
    tls: null,
    configIni,
    jtsIni,
    simControlFile: simulated ? layout.simControl : null,
    async launch(): Promise<LaunchSpec> {
      if (!simulated) resolveInstall(gw.ibgateway.home ?? ''); // fail on a bad install before any login is counted
      await checkIbcHome(ibcHome);
      credentials = await loadCredentials();
      await deps.loginGate?.();
      restartAt = autoRestartTime(gw.ibc, config.session.resets, (deps.now?.() ?? new Date()).getTime());
      await configIni.render('rendered for launch');
      await jtsIni.render('rendered for launch');
      if (simulated) await writeSimConfig();
      const command = gw.command && gw.command.length > 0 ? [...gw.command] : await argv();
      return { command, cwd: gw.cwd ?? settingsPath, env: env(), host: gw.host, port: gw.port, beforeStop: beforeStop() };
    },
    baseUrl: () => baseUrl,
    ca: async () => null,
    redactLine,
    info(): GatewayInfo {
      return {
        kind: gw.kind, home: ibcHome, confPath: layout.configIni, templatePath: gw.ibc.template, baseUrl, customCommand: Boolean(gw.command?.length),
        tls: null, access: null, tws: twsInfo(), ...(simulated ? { simControlFile: layout.simControl } : {}),
      };
    },
    async close(): Promise<void> {
      await configIni.close();
      await jtsIni.close();
    },
  };
}
