import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../daemon/package-root.js';
import { Supervisor } from '../daemon/supervisor/index.js';
import { freePort } from '../testkit/ports.js';
import { exitToReady, median } from './measure.js';
import { startBareLoop } from './peers/bare-loop.js';
import { startPm2 } from './peers/pm2.js';

export interface RestartBench {
  rounds: number;
  bareMs: number;
  oursMs: number;
  pm2Ms: number | null;
}

const fixture = join(packageRoot, 'bench', 'fixtures', 'restart-server.mjs');

interface Peer {
  name: 'bare' | 'ours' | 'pm2';
  port: number;
  stop(): Promise<void>;
}

async function startOurs(): Promise<Peer> {
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
    restart: { backoff: { initialMs: 1, maxMs: 1, factor: 1, jitter: 0 }, stableAfterMs: 0, maxRestarts: 1000, windowMs: 600_000 },
    resources: { sampleIntervalMs: 5_000, memoryLimitMb: null },
    logs: { ringLines: 200, maxFileBytes: 1_048_576, maxFiles: 2 },
  });
  await supervisor.start('bench');
  return {
    name: 'ours',
    port,
    async stop() {
      await supervisor.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function startBare(): Promise<Peer> {
  const port = await freePort();
  const loop = startBareLoop([process.execPath, fixture], { ...process.env, PORT: String(port) });
  return { name: 'bare', port, stop: () => loop.stop() };
}

async function startPm2Peer(): Promise<Peer | null> {
  const port = await freePort();
  try {
    const handle = await startPm2(fixture, port);
    return { name: 'pm2', port, stop: () => handle.stop() };
  } catch (err) {
    process.stderr.write(`pm2 peer failed: ${(err as Error).message}\n`);
    return null;
  }
}

/**
 * Time from a gateway exit to the next one ready: ours, pm2 and a bare spawn loop, same
 * fixture, same run. The three run side by side and are measured round-robin, one exit each
 * per round, so a slower minute on a shared machine weighs on all three alike.
 */
export async function benchRestart(rounds = 21): Promise<RestartBench> {
  const peers = [await startBare(), await startOurs(), await startPm2Peer()].filter((p): p is Peer => p !== null);
  const times = new Map<Peer['name'], number[]>(peers.map((p) => [p.name, []]));
  try {
    for (const p of peers) await exitToReady(p.port, 1); // warm-up: page cache, JIT
    for (let r = 0; r < rounds; r++) {
      for (const p of peers) times.get(p.name)!.push(...(await exitToReady(p.port, 1)));
    }
  } finally {
    for (const p of peers) await p.stop();
  }
  const med = (name: Peer['name']) => (times.get(name)?.length ? median(times.get(name)!) : null);
  return { rounds, bareMs: med('bare')!, oursMs: med('ours')!, pm2Ms: med('pm2') };
}
