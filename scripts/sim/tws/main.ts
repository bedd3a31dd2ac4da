#!/usr/bin/env node
/**
 * ibgw-sim-tws: a simulated IB Gateway with IBC inside it, as one process — what ibcstart.sh
 * starts with `java … ibcalpha.ibc.IbcGateway <config.ini> [mode]`. It reads IBC's config.ini
 * and the gateway's jts.ini, logs in with IBC's console lines (failures included), runs IBC's
 * command server, and opens the TWS API port once logged in. See scripts/sim/README.md.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiServer } from './api-server.js';
import { parseTwsArgs, TWS_USAGE, type TwsCliArgs } from './cli-args.js';
import { CommandServer, type GatewayLifecycle } from './command-server.js';
import { TwsControlServer } from './control.js';
import { GatewayState } from './gateway-state.js';
import { runLogin, userSettingsDir } from './login.js';
import { readIbcSettings, readTrustedIps, SettingsError } from './settings.js';
import { loadTwsSimConfig, TwsSimConfigError } from './sim-config.js';
import { scheduleDaily } from './auto-restart.js';

/** IBC's exit codes for a missing config.ini and a bad setting (ErrorCodes 1103, 1105). */
const EXIT_INI_MISSING = 1103;
const EXIT_INVALID_SETTING = 1105;

const out = (line: string): void => void process.stdout.write(line + '\n');

function fail(message: string, code: number): never {
  process.stderr.write(`ibgw-sim-tws: ${message}\n`);
  process.exit(code);
}

function parse(): TwsCliArgs {
  try {
    return parseTwsArgs(process.argv.slice(2));
  } catch (err) {
    return fail(`${(err as Error).message}\n${TWS_USAGE}`, 2);
  }
}

function load(args: TwsCliArgs, cwd: string): GatewayState {
  const settingsDir = args.properties.jtsConfigDir ?? cwd;
  let settings;
  try {
    settings = readIbcSettings(args.ibcIni);
  } catch (err) {
    if (!(err instanceof SettingsError)) throw err;
    const missing = err.message.includes('does not exist');
    out(`!!! ${err.message}`);
    return process.exit(missing ? EXIT_INI_MISSING : EXIT_INVALID_SETTING);
  }
  try {
    const sim = loadTwsSimConfig(args.simConfig, cwd);
    if (sim.control && !sim.control.token) sim.control.token = randomBytes(24).toString('base64url');
    return new GatewayState(settings, sim, settingsDir, out);
  } catch (err) {
    if (err instanceof TwsSimConfigError) fail(err.message, 2);
    throw err;
  }
}

async function main(): Promise<void> {
  const args = parse();
  const gw = load(args, process.cwd());
  const closers: Array<() => void> = [];
  const shutdown = (code: number): never => {
    for (const close of closers) close();
    process.exit(code);
  };
  // The JVM exits 143 on SIGTERM and 130 on SIGINT.
  process.on('SIGTERM', () => shutdown(143));
  process.on('SIGINT', () => shutdown(130));

  gw.ibc('version: 3.20.0 (ibgw-sim-tws)');
  gw.ibc('Starting Gateway');
  gw.ibc(`TWS Settings directory is: ${gw.settingsDir}`);
  const sessionId = args.properties.ibcsessionid ?? 'nosession';
  const lifecycle: GatewayLifecycle = {
    stop() {
      if (gw.loginState !== 'logged-in') {
        gw.ibc('Login has not completed: exiting immediately');
        return shutdown(0);
      }
      gw.ibc('Login has completed: exiting via [File, Close] menu');
      setTimeout(() => shutdown(0), 50);
    },
    restart(pause) {
      // The gateway's own restart: it leaves an autorestart file, which tells ibcstart.sh to
      // start it again with -Drestart (no credentials, no second factor).
      const dir = userSettingsDir(gw.settingsDir, gw.username);
      writeFileSync(join(dir, 'autorestart'), '');
      if (pause) writeFileSync(join(gw.settingsDir, `PAUSE${sessionId}`), '');
      gw.log(`ibgw-sim-tws: ${pause ? 'pausing' : 'restarting'} (autorestart file written)`);
      setTimeout(() => shutdown(0), 50);
      return true;
    },
  };

  let control: TwsControlServer | null = null;
  if (gw.sim.control) {
    control = new TwsControlServer(gw, gw.sim.control, shutdown);
    await control.listen().catch((err: Error) => fail(`control channel cannot listen: ${err.message}`, 2));
    closers.push(() => control?.close());
  }
  if (gw.settings.commandServerPort > 0) {
    const commands = new CommandServer(gw, lifecycle);
    try {
      await commands.listen(gw.settings.commandServerPort, gw.settings.bindAddress || args.bind);
      gw.commandPort = gw.settings.commandServerPort;
      closers.push(() => commands.close());
    } catch {
      gw.ibc('CommandServer failed to create socket');
      gw.ibc('CommandServer cannot process commands');
    }
  } else {
    gw.ibc('CommandServer is not started because the port is not configured');
  }

  const mode = args.mode ?? gw.settings.tradingMode ?? 'live';
  const loggedIn = await runLogin(gw, {
    username: args.user ?? gw.settings.loginId, password: args.password ?? gw.settings.password, mode, sessionId,
    restartDir: args.properties.restart ?? null, exit: shutdown,
  });
  // A dialog waiting for a human (existing session, manual): alive, never listening.
  if (!loggedIn) return void setInterval(() => undefined, 2 ** 31 - 1);

  gw.ibc('Performing port configuration');
  const wanted = args.port ?? gw.settings.apiPort ?? (mode === 'live' ? 4001 : 4002);
  gw.ibc(`TWS API socket port now set to ${wanted}`);
  if (gw.settings.readOnlyApi !== null) {
    gw.ibc('Setting ReadOnlyApi');
    gw.ibc(`Read-Only API checkbox is now set to: ${gw.readOnly}`);
  }
  if (gw.settings.autoRestartTime) {
    gw.ibc('Setting Auto restart time');
    scheduleDaily(gw.settings.autoRestartTime, () => lifecycle.restart(false));
  }
  const api = new ApiServer(gw, readTrustedIps(join(gw.settingsDir, 'jts.ini')));
  try {
    gw.apiPort = await api.listen(wanted, args.bind);
  } catch (err) {
    // The real gateway shows an API error and keeps running without its API port.
    gw.log(`ibgw-sim-tws: API server cannot listen on ${args.bind}:${wanted}: ${(err as Error).message}`);
    return;
  }
  closers.push(() => api.close());
  control?.writeInfo();
  gw.log(`ibgw-sim-tws: API server listening on ${args.bind}:${gw.apiPort} (server version ${gw.sim.serverVersion}, ${gw.readOnly ? 'read-only' : 'read-write'})`);
}

main().catch((err: Error) => {
  process.stderr.write(`ibgw-sim-tws: ${err.stack ?? err.message}\n`);
  process.exit(70);
});
