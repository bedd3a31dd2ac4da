#!/usr/bin/env node
/**
 * ibgw-sim: a simulated Client Portal Gateway that behaves like clientportal.gw on the wire
 * and as a process. Start-up follows the real one step by step, failures included: the banner
 * is printed before anything can fail; a bad keystore or a busy port leaves a live process
 * that never listens; an unknown conf key exits 1. It stays one process (no children), so a
 * supervisor's process-group handling can be tested against it and the JVM alike.
 */
import { randomBytes } from 'node:crypto';
import { compileIpFilter } from './allow-list.js';
import { bannerLines, confDump } from './banner.js';
import { parseArgs, USAGE, type CliArgs } from './cli-args.js';
import { ConfLoadError, loadConf, resolveKeystore, type GatewayConf } from './conf-file.js';
import type { SimContext } from './context.js';
import { ControlServer } from './control.js';
import { Faults } from './faults.js';
import { GatewayLog } from './gateway-log.js';
import { GatewayServer } from './gateway-server.js';
import { loadKeystore } from './keystore.js';
import { LoginFlow } from './login-flow.js';
import { loadLoginAssets } from './login-page.js';
import { MarketData } from './market-data.js';
import { RateLimiter } from './rate-limit.js';
import { SessionStore } from './session.js';
import { loadSimConfig, SimConfigError, type SimConfig } from './sim-config.js';
import { UserRegistry } from './users.js';

function fail(lines: string[], code: number): never {
  for (const line of lines) process.stdout.write(line + '\n');
  process.exit(code);
}

/** The JVM, unable to serve, idles on; only a signal ends it. */
function stayAliveForever(): void {
  setInterval(() => undefined, 2 ** 31 - 1);
}

function buildContext(conf: GatewayConf, sim: SimConfig, log: GatewayLog): SimContext {
  const now = Date.now;
  const users = new UserRegistry(sim.users, sim.lockAfterFailures);
  return {
    conf,
    sim,
    ipFilter: compileIpFilter(conf.ips),
    session: new SessionStore(sim, conf.authDelay, now),
    users,
    flow: new LoginFlow(users, sim.secondFactorTimeoutMs, now),
    loginAssets: loadLoginAssets(),
    limiter: new RateLimiter(sim.rateLimits, sim.penaltyMs),
    faults: new Faults(),
    marketData: new MarketData(sim.snapshotPreflight),
    log,
    counters: new Map(),
    now,
  };
}

function loadAll(cwd: string): { args: CliArgs; conf: GatewayConf; sim: SimConfig } {
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`ibgw-sim: ${(err as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  let conf: GatewayConf;
  try {
    conf = loadConf(args.confPath, cwd);
  } catch (err) {
    if (err instanceof ConfLoadError) fail([err.message, err.causeLine], 1);
    throw err;
  }
  try {
    const sim = loadSimConfig(args.simConfig, cwd);
    if (sim.control && !sim.control.token) sim.control.token = randomBytes(24).toString('base64url');
    return { args, conf, sim };
  } catch (err) {
    if (err instanceof SimConfigError) fail([`ibgw-sim: ${err.message}`], 2);
    throw err;
  }
}

async function main(): Promise<void> {
  const cwd = process.cwd();
  const { args, conf, sim } = loadAll(cwd);
  const ssl = !args.nossl && conf.listenSsl;
  const port = args.port ?? conf.listenPort;
  const log = new GatewayLog(cwd);
  log.log('DEBUG', 'GatewayStart', confDump(conf));
  process.stdout.write(confDump(conf) + '\n');
  for (const line of bannerLines(conf, port, ssl)) process.stdout.write(line + '\n');

  const ctx = buildContext(conf, sim, log);
  let gateway: GatewayServer | null = null;
  let control: ControlServer | null = null;
  const shutdown = (code: number): void => {
    gateway?.close();
    control?.close();
    log.close();
    process.exit(code);
  };
  // The JVM exits 143 on SIGTERM after its shutdown hooks; do the same, promptly.
  process.on('SIGTERM', () => shutdown(143));
  process.on('SIGINT', () => shutdown(130));

  let controlPort = 0;
  if (sim.control) {
    control = new ControlServer(ctx, sim.control, shutdown);
    try {
      controlPort = await control.listen();
    } catch (err) {
      fail([`ibgw-sim: control channel cannot listen on 127.0.0.1:${sim.control.port}: ${(err as Error).message}`], 2);
    }
    control.writeInfo(controlPort, null);
  }

  let tls = null;
  if (ssl) {
    tls = loadKeystore(resolveKeystore(conf, cwd), conf.sslPwd);
    if (!tls) return stayAliveForever();
  }
  gateway = new GatewayServer(ctx, tls);
  try {
    await gateway.listen(port, args.bind);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    process.stdout.write(`Server listen failed ${e.code === 'EADDRINUSE' ? 'Address already in use' : e.message}\n`);
    log.log('ERROR', 'GatewayStart', `Server listen failed ${e.message}`);
    return stayAliveForever();
  }
  log.log('INFO', 'GatewayStart', `Server listening on ${args.bind}:${gateway.port()} (${ssl ? 'TLSv1.2' : 'plain HTTP'})`);
  control?.writeInfo(controlPort, gateway.port());
}

main().catch((err: Error) => {
  process.stderr.write(`ibgw-sim: ${err.stack ?? err.message}\n`);
  process.exit(70);
});
