/**
 * A second daemon beside the soak's main one, for the fault that needs gateway updates: kind
 * clientportal, on fixture distributions (testkit/distributions.ts) whose stand-in JVM runs the
 * simulator, launched the real way (a fake `java` takes the daemon's argv). Updates exist only
 * for that kind, and the main daemon runs the simulated kind for its control channel, so the
 * update faults get a daemon of their own rather than a main daemon they could not touch.
 *
 * It keeps no IBKR session (session.enabled false, no stored credentials): the health gate then
 * asks for a ready gateway only (daemon/maintenance/health-gate.ts), and the login budget and
 * readiness invariants stay the main daemon's. Its API calls pass the same 5xx invariant.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../daemon/package-root.js';
import { distributionDir, distributionZip, fakeJavaHome, type JvmBehaviour } from '../testkit/distributions.js';
import { freePort } from '../testkit/ports.js';
import { waitFor } from '../testkit/wait-for.js';
import { DaemonApi } from './daemon-api.js';
import { stopChild } from './stop-child.js';
import { toYaml } from './soak-config.js';

/** The gate's limit for the update daemon: a version that is not ready by then is rolled back. */
export const UPDATE_GATE_TIMEOUT_MS = 15_000;
const SIM_MAIN = join(packageRoot, 'dist/scripts/sim/main.js');
const SHIPPED_CONF = join(packageRoot, 'scripts/sim/assets/conf.yaml');

function processesUnder(dir: string): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).flatMap((pid) => {
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      return cwd === dir || cwd.startsWith(`${dir}/`) ? [Number(pid)] : [];
    } catch {
      return []; // gone, or not ours to read
    }
  });
}

export class UpdateDaemon {
  readonly dir: string;
  readonly dataDir: string;
  api!: DaemonApi;
  #child: ChildProcess | null = null;
  #builds = 0;

  constructor(runDir: string) {
    this.dir = join(runDir, 'update-daemon');
    this.dataDir = join(this.dir, 'data');
  }

  /** A fresh build stamp per distribution: versions are told apart by their jar's build. */
  #nextBuild(): string {
    this.#builds += 1;
    const d = new Date(Date.UTC(2025, 0, 1) + this.#builds * 60_000);
    return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  }

  /** Writes a distribution zip and installs (stages) it; returns its version id. */
  async install(jvm: JvmBehaviour): Promise<string> {
    const build = this.#nextBuild();
    const zip = distributionZip(join(this.dir, `cp-${build}.zip`), build, jvm, SHIPPED_CONF);
    const r = await this.api.post('/api/v1/gateway/versions', { path: zip });
    if (r.status !== 200) throw new Error(`installing ${build} answered ${r.status || r.error} ${r.code ?? ''} ${r.body?.message ?? ''}`);
    return r.body.version.id as string;
  }

  async versions(): Promise<{ active: string | null; staged: string | null; versions: Array<{ id: string; failed?: { reason: string } }> } | null> {
    const r = await this.api.get('/api/v1/gateway/versions', { admin: true });
    return r.status === 200 ? r.body : null;
  }

  /** Live processes working in a version's folder (the stand-in JVM runs with cwd = its home). */
  runningFrom(id: string): number[] {
    return processesUnder(join(this.dataDir, 'versions', id));
  }

  /** Live processes working anywhere in the data dir: none may be left once the daemon stopped. */
  leftovers(): number[] {
    return processesUnder(this.dataDir);
  }

  /** Starts the daemon on a good version, gateway running. */
  async start(): Promise<void> {
    mkdirSync(this.dataDir, { recursive: true });
    const ports = { api: await freePort(), gateway: await freePort() };
    const env = fakeJavaHome(join(this.dir, 'java'), SIM_MAIN);
    const config = {
      dataDir: this.dataDir,
      api: { port: ports.api },
      // The distribution a user unpacked first (gateway.home); installed versions take over from it.
      gateway: { kind: 'clientportal', home: distributionDir(join(this.dir, 'clientportal.gw'), this.#nextBuild(), 'sim', SHIPPED_CONF), port: ports.gateway, env, stopGraceMs: 2_000 },
      session: { enabled: false },
      maintenance: { healthGate: { timeoutMs: UPDATE_GATE_TIMEOUT_MS, stableMs: 1_000, pollMs: 250 } },
    };
    const configPath = join(this.dir, 'ibgw.yaml');
    writeFileSync(configPath, toYaml(config));
    const log = openSync(join(this.dir, 'daemon.log'), 'a');
    const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(IBGW_|ENCRYPTION_)/.test(k)));
    this.#child = spawn(process.execPath, [join(packageRoot, 'dist/daemon/cli.js'), 'daemon', '--config', configPath], {
      env: { ...cleanEnv, NODE_OPTIONS: '', ENCRYPTION_KEY: randomBytes(32).toString('hex') },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    this.api = new DaemonApi(ports.api, this.dataDir);
    const logPath = join(this.dir, 'daemon.log');
    await waitFor(async () => {
      // A daemon that refused its config has exited: say why at once instead of waiting out the limit.
      if (this.#child?.exitCode !== null) throw new Error(`the update daemon exited: ${readFileSync(logPath, 'utf8').slice(-1000)}`);
      return (await this.api.get('/healthz', { timeoutMs: 2_000 })).status === 200;
    }, 90_000, 'the update daemon\'s API', 250);
    await waitFor(async () => (await this.api.status())?.gateway?.state === 'running', 60_000, 'the update daemon\'s gateway running', 250);
    // A first update that passes its gate: the faults then roll back to an installed version.
    const first = await this.install('sim');
    const use = await this.api.post('/api/v1/gateway/versions/use', { id: first, when: 'now' });
    if (use.status !== 202) throw new Error(`switching to ${first} answered ${use.status || use.error} ${use.code ?? ''}`);
    await waitFor(async () => (await this.versions())?.active === first && (await this.settled()), 60_000, `version ${first} active and gated`, 250);
  }

  /** No change under way and the gateway running. */
  async settled(): Promise<boolean> {
    const m = await this.api.get('/api/v1/maintenance/status');
    return m.status === 200 && !m.body.running && (await this.api.status())?.gateway?.state === 'running';
  }

  /** SIGTERM: the daemon stops its gateway group and exits; SIGKILL if it hangs. */
  stop(): Promise<void> {
    return stopChild(this.#child);
  }
}
