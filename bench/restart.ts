import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../daemon/package-root.js';
import { Supervisor } from '../daemon/supervisor/index.js';
import { exitToReady, freePort, median } from './measure.js';
import { startBareLoop } from './peers/bare-loop.js';
import { startPm2 } from './peers/pm2.js';

export interface RestartBench {
  rounds: number;
  bareMs: number;
  oursMs: number;
  pm2Ms: number | null;
}

const fixture = join(packageRoot, 'bench', 'fixtures', 'restart-server.mjs');

async function ours(rounds: number): Promise<number[]> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'ibgw-bench-sup-'));
  const supervisor = new Supervisor({
    launch: async () => ({ command: [process.execPath, fixture], cwd: dataDir, env: { PORT: String(port) }, host: '127.0.0.1', port }),
    dataDir,
    startTimeoutMs: 10_000,
    stopGraceMs: 2_000,
    readyProbeIntervalMs: 100,
    // Crash restarts at the smallest delay the policy allows, like the peers (restart_delay 0):
    // what is measured is the machinery — lifeline, group spawn, port check, run record, capture.
    restart: { backoff: { initialMs: 1, maxMs: 1, factor: 1, jitter: 0 }, stableAfterMs: 0, maxRestarts: rounds * 4, windowMs: 600_000 },
    resources: { sampleIntervalMs: 5_000, memoryLimitMb: null },
    logs: { ringLines: 200, maxFileBytes: 1_048_576, maxFiles: 2 },
  });
  try {
    await supervisor.start('bench');
    return await exitToReady(port, rounds);
  } finally {
    await supervisor.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function bare(rounds: number): Promise<number[]> {
  const port = await freePort();
  const loop = startBareLoop([process.execPath, fixture], { ...process.env, PORT: String(port) });
  try {
    return await exitToReady(port, rounds);
  } finally {
    await loop.stop();
  }
}

async function pm2(rounds: number): Promise<number[] | null> {
  const port = await freePort();
  let handle: { stop(): Promise<void> } | null = null;
  try {
    handle = await startPm2(fixture, port);
    return await exitToReady(port, rounds);
  } catch (err) {
    process.stderr.write(`pm2 peer failed: ${(err as Error).message}\n`);
    return null;
  } finally {
    await handle?.stop();
  }
}

/** Time from a gateway exit to the next one ready: ours, pm2 and a bare spawn loop, same fixture, same run. */
export async function benchRestart(rounds = 15): Promise<RestartBench> {
  // Interleaved warm-up so no peer pays for a cold disk cache alone.
  await bare(2);
  const bareTimes = await bare(rounds);
  const oursTimes = await ours(rounds);
  const pm2Times = await pm2(rounds);
  return { rounds, bareMs: median(bareTimes), oursMs: median(oursTimes), pm2Ms: pm2Times ? median(pm2Times) : null };
}
