/**
 * A daemon of the IB Gateway kind beside the soak's main one: `gateway.kind: simulated-tws`,
 * the bundled simulated IB Gateway under the bundled simulated IBC, launched and kept the way a
 * real one is (managed config.ini with the vault's credentials, every start a login counted
 * against the budget, readiness from the TWS API itself). Its own data dir, ports, vault key and
 * IBKR password (fresh per run, so finding it in a log is unambiguous); started with a plain
 * spawn — pm2 is the main daemon's test.
 *
 * Faults reach its gateway through the simulator's control channel (the info file the simulator
 * writes into the data dir at every start) or with signals at its process group. An app calls
 * the gateway with a real TWS API client library (tws-app.ts).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { twsLayout } from '../daemon/gateway/kinds/ibgateway.js';
import { packageRoot } from '../daemon/package-root.js';
import { freePort } from '../testkit/ports.js';
import { waitFor } from '../testkit/wait-for.js';
import { DaemonApi } from './daemon-api.js';
import { cleanEnv } from './environment.js';
import { call, type CallResult } from './http-call.js';
import { SOAK_TIMINGS, toYaml, type SoakIdentity } from './soak-config.js';
import { stopChild } from './stop-child.js';

const CLI = join(packageRoot, 'dist/daemon/cli.js');

/** The TWS side's pace: the daemon's API probe, and what the checkers' grace is derived from. */
export const TWS_TIMINGS = {
  probeIntervalMs: 2_000,
  probeTimeoutMs: 1_500,
  hangThreshold: 2,
  /** The app's client id: not the daemon's probe's (its own connection). */
  appClientId: 4242,
} as const;

export function twsDaemonConfig(dataDir: string, ports: { api: number; gateway: number; commandServer: number }, who: SoakIdentity): Record<string, unknown> {
  const t = SOAK_TIMINGS;
  return {
    dataDir,
    api: { port: ports.api },
    gateway: {
      kind: 'simulated-tws',
      port: ports.gateway,
      stopGraceMs: t.stopGraceMs,
      // The same reasons as the main daemon's (soak-config.ts): crash faults every few minutes.
      restart: { backoff: { initialMs: 500, maxMs: t.backoffMaxMs, factor: 2, jitter: 0.2 }, stableAfterMs: 20_000, maxRestarts: 1_000 },
      ibc: { commandServerPort: ports.commandServer, stopTimeoutMs: 3_000 },
      // A hang is found after hangThreshold unanswered probes: seconds, not the default minute.
      ibgateway: { probe: { clientId: 987_654, intervalMs: TWS_TIMINGS.probeIntervalMs, timeoutMs: TWS_TIMINGS.probeTimeoutMs } },
      simulator: { users: [{ username: who.username, password: who.password, accounts: [who.account], paper: true, twoFactor: 'none' }] },
    },
    session: {
      hangThreshold: TWS_TIMINGS.hangThreshold,
      requestTimeoutMs: t.requestTimeoutMs,
      // Every restart is a full login on this kind: hundreds per run. The budget is still checked.
      loginBudget: t.loginBudget,
      resets: { daily: null, weekly: null },
    },
  };
}

export class TwsDaemon {
  readonly dir: string;
  readonly dataDir: string;
  readonly identity: SoakIdentity;
  readonly encryptionKey = randomBytes(32).toString('hex');
  api!: DaemonApi;
  /** The TWS API port the gateway listens on. */
  port = 0;
  #child: ChildProcess | null = null;
  readonly #controlFile: string;

  constructor(runDir: string) {
    this.dir = join(runDir, 'tws-daemon');
    this.dataDir = join(this.dir, 'data');
    this.identity = { username: 'soak-tws', password: `soak-tws-${randomBytes(12).toString('hex')}`, account: 'DU7654321' };
    this.#controlFile = twsLayout(this.dataDir).simControl;
  }

  /** Its own folder: the secret scan reads every file in it (not the config beside it, which holds the simulated user's password). */
  get logDir(): string {
    return join(this.dir, 'logs');
  }

  get logFile(): string {
    return join(this.logDir, 'daemon.log');
  }

  #cli(args: string[], configPath: string, stdin: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = execFile(process.execPath, [CLI, ...args, '--config', configPath], { env: cleanEnv({ ENCRYPTION_KEY: this.encryptionKey }), timeout: 60_000 },
        (err, _stdout, stderr) => (err ? reject(new Error(`ibgw ${args[0]} ${args[1] ?? ''} failed: ${stderr || err.message}`)) : resolve()));
      child.stdin!.end(stdin);
    });
  }

  /** Credentials stored, the daemon started, its gateway running and its session authenticated. */
  async start(): Promise<void> {
    mkdirSync(this.dataDir, { recursive: true });
    mkdirSync(this.logDir, { recursive: true });
    const ports = { api: await freePort(), gateway: await freePort(), commandServer: await freePort() };
    this.port = ports.gateway;
    const configPath = join(this.dir, 'ibgw.yaml');
    writeFileSync(configPath, toYaml(twsDaemonConfig(this.dataDir, ports, this.identity)));
    await this.#cli(['credentials', 'set', '--username', this.identity.username, '--password-stdin', '--mode', 'paper'], configPath, `${this.identity.password}\n`);
    const log = openSync(this.logFile, 'a');
    this.#child = spawn(process.execPath, [CLI, 'daemon', '--config', configPath], {
      env: cleanEnv({ ENCRYPTION_KEY: this.encryptionKey }),
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    this.api = new DaemonApi(ports.api, this.dataDir);
    await waitFor(async () => {
      if (this.#child?.exitCode !== null) throw new Error(`the IB Gateway daemon exited: ${readFileSync(this.logFile, 'utf8').slice(-1000)}`);
      return (await this.api.get('/healthz', { timeoutMs: 2_000 })).status === 200;
    }, 90_000, 'the IB Gateway daemon\'s API', 250);
    await waitFor(async () => (await this.api.get('/readyz', { timeoutMs: 2_000 })).status === 200, 90_000, 'the IB Gateway daemon ready (gateway logged in, API answering)', 250);
  }

  /** Its gateway's pid (= its process group) while it runs. */
  async gatewayPid(): Promise<number | null> {
    const s = await this.api.status();
    return s?.gateway?.state === 'running' ? (s.gateway.pid as number) : null;
  }

  /** The session keeper's state, or null while the daemon does not answer. */
  async sessionState(): Promise<string | null> {
    const r = await this.api.get('/api/v1/session', { timeoutMs: 5_000 });
    return r.status === 200 ? (r.body?.status?.state ?? null) : null;
  }

  /** A call on the simulator's control channel (status 0: the simulator does not run). */
  async control(path: string, body: unknown = {}): Promise<CallResult> {
    let info: { port: number; token: string };
    try {
      info = JSON.parse(readFileSync(this.#controlFile, 'utf8')) as { port: number; token: string };
    } catch (err) {
      return { status: 0, body: null, text: '', code: null, error: `no control file: ${(err as Error).message}`, ms: 0 };
    }
    return call(`http://127.0.0.1:${info.port}${path}`, { method: 'POST', headers: { authorization: `Bearer ${info.token}` }, body, timeoutMs: 5_000 });
  }

  async storeCredentials(password: string): Promise<void> {
    const r = await this.api.request('PUT', '/api/v1/credentials', { admin: true, body: { username: this.identity.username, password, mode: 'paper' } });
    if (r.status !== 200) throw new Error(`PUT /api/v1/credentials on the IB Gateway daemon answered ${r.status || r.error} ${r.code ?? ''}`);
  }

  /** SIGTERM: the daemon stops its gateway group (IBC's STOP first) and exits; SIGKILL if it hangs. */
  stop(): Promise<void> {
    return stopChild(this.#child);
  }
}
