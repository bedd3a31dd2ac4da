/**
 * The daemon under pm2, for real: the shipped ecosystem.config.js, in a PM2_HOME of the run's
 * own, so the soak's pm2 is nobody else's and `pm2 kill` at the end takes only it down.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../daemon/package-root.js';

const run = promisify(execFile);
const PM2 = join(packageRoot, 'node_modules', '.bin', 'pm2');
export const PM2_APP = 'ibgw';

export interface Pm2App {
  pid: number;
  status: string;
  /** pm2's own restart count (↺). */
  restarts: number;
}

export class Pm2 {
  readonly home: string;
  readonly #env: NodeJS.ProcessEnv;

  /** `env`: the daemon's environment (IBGW_CONFIG, ENCRYPTION_KEY …); pm2 passes it on. */
  constructor(home: string, env: NodeJS.ProcessEnv) {
    this.home = home;
    // tap's NODE_OPTIONS hook would load into the daemon and everything it starts.
    this.#env = { ...process.env, ...env, PM2_HOME: home, NODE_OPTIONS: '' };
  }

  /** The daemon's pm2 logs: `<PM2_HOME>/logs/ibgw-out.log`, `ibgw-error.log`. */
  get logDir(): string {
    return join(this.home, 'logs');
  }

  async start(): Promise<void> {
    await run(PM2, ['start', join(packageRoot, 'ecosystem.config.js')], { env: this.#env, cwd: packageRoot, timeout: 120_000 });
  }

  async app(): Promise<Pm2App | null> {
    const { stdout } = await run(PM2, ['jlist'], { env: this.#env, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
    const list = JSON.parse(stdout) as Array<{ name: string; pid: number; pm2_env: { status: string; restart_time: number } }>;
    const app = list.find((a) => a.name === PM2_APP);
    return app ? { pid: app.pid, status: app.pm2_env.status, restarts: app.pm2_env.restart_time } : null;
  }

  /** Stops the daemon (SIGINT: it stops the gateway group and flushes) and pm2's God daemon. */
  async kill(): Promise<void> {
    await run(PM2, ['kill'], { env: this.#env, timeout: 90_000 }).catch(() => {});
  }
}
