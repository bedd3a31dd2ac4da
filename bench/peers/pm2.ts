import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../../daemon/package-root.js';

const run = promisify(execFile);

/**
 * pm2 (the devDependency) in its own PM2_HOME, so the benchmark neither sees nor disturbs a
 * pm2 the user runs. restart_delay 0 and no backoff: pm2 at its fastest.
 */
export async function startPm2(script: string, port: number): Promise<{ stop(): Promise<void>; daemonPid(): Promise<number | null> }> {
  const home = mkdtempSync(join(tmpdir(), 'ibgw-bench-pm2-'));
  const pm2 = join(packageRoot, 'node_modules', '.bin', 'pm2');
  const env = { ...process.env, PM2_HOME: home, PORT: String(port) };
  // pm2 gives up on an app after 15 restarts that each lived less than min_uptime (1 s): the
  // benchmark crashes it on purpose, so that limit is lifted.
  await run(pm2, ['start', script, '--name', 'bench-gw', '--restart-delay', '0', '--max-restarts', '100000'], { env, timeout: 60_000 });
  return {
    /** The pm2 God daemon's pid, for the idle-memory comparison. */
    async daemonPid(): Promise<number | null> {
      try {
        return Number.parseInt(readFileSync(join(home, 'pm2.pid'), 'utf8'), 10);
      } catch {
        return null;
      }
    },
    async stop() {
      await run(pm2, ['kill'], { env, timeout: 60_000 }).catch(() => {});
      rmSync(home, { recursive: true, force: true });
    },
  };
}
