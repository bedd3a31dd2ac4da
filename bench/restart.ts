/**
 * Gateway exit → next gateway accepting connections: ours, pm2 and a bare spawn loop, same
 * fixture, same run. The peers run side by side and are measured round-robin, one exit each per
 * round (the order turning every round), so a slower minute on a shared machine weighs on all
 * alike.
 *
 * Two figures per restart: exit → ready (what a user waits), and exit → the new process began
 * (its own performance.timeOrigin): the supervisor's share, free of Node's start-up, which is the
 * same program for every peer and on a loaded 2-core machine varies by hundreds of ms from one
 * start to the next — far more than the few ms a supervisor adds. The overhead is the second
 * figure's difference to the bare loop's (per round), as a share of the bare loop's exit → ready.
 *
 * Each peer supervises from a process of its own, as it does for real (pm2's God daemon; ours in
 * peers/supervisor-process.ts, the daemon's real restart path with the gateway kind's launch();
 * the bare loop in peers/bare-process.ts): none shares an event loop with the measuring probes.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { packageRoot } from '../daemon/package-root.js';
import { freePort } from '../testkit/ports.js';
import { median, spread, timeRestart, type Restart, type Spread } from './measure.js';
import { startPm2 } from './peers/pm2.js';

type PeerName = 'bare' | 'ours' | 'pm2';

export interface PeerFigures {
  /** exit → ready (ms). */
  ready: Spread;
  /** exit → the new process began (ms). */
  spawn: Spread;
  /** Per round: this peer's exit → begun minus the bare loop's (ms). */
  overMs: Spread;
  /** median(overMs) as a share of the bare loop's median exit → ready (%). */
  overPct: number;
  /** Per round, end to end: exit → ready against the bare loop's of the same round (%). */
  readyOverPct: Spread;
}

export interface RestartBench {
  rounds: number;
  peers: Partial<Record<PeerName, PeerFigures>>;
}

const fixture = join(packageRoot, 'bench', 'fixtures', 'restart-server.mjs');

interface Peer {
  name: PeerName;
  port: number;
  stop(): Promise<void>;
}

/** A peer in its own node process (bench/peers/<script>): it prints "ready" once supervising. */
async function startProcessPeer(name: PeerName, script: string): Promise<Peer> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(packageRoot, 'dist', 'bench', 'peers', script), String(port), fixture], {
    stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_OPTIONS: '' },
  });
  const exited = once(child, 'exit');
  const [line] = await Promise.race([once(createInterface({ input: child.stdout! }), 'line'), exited.then(() => [`${script} exited`])]);
  if (line !== 'ready') throw new Error(`${name}: ${line}`);
  return {
    name,
    port,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
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

function figures(mine: Restart[], bare: Restart[]): PeerFigures {
  const bareReady = median(bare.map((b) => b.readyMs));
  const overMs = spread(mine.map((m, i) => m.spawnMs - bare[i].spawnMs));
  return {
    ready: spread(mine.map((m) => m.readyMs)),
    spawn: spread(mine.map((m) => m.spawnMs)),
    overMs,
    overPct: (overMs.median / bareReady) * 100,
    readyOverPct: spread(mine.map((m, i) => (m.readyMs / bare[i].readyMs - 1) * 100)),
  };
}

/**
 * One restart, measured again if a connection was reset on the way. Ours checks that the port is
 * free before each spawn by binding it for an instant (preflight's port check): a probe landing in
 * that instant is accepted by the check's listener and then reset, so the round measured nothing.
 * Said on stderr, never hidden.
 */
async function measureOnce(p: Peer): Promise<Restart> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await timeRestart(p.port);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET' || attempt >= 3) throw err;
      process.stderr.write(`${p.name}: connection reset during a restart; measured again\n`);
    }
  }
}

export async function benchRestart(rounds = 21): Promise<RestartBench> {
  const peers = [await startProcessPeer('bare', 'bare-process.js'), await startProcessPeer('ours', 'supervisor-process.js'), await startPm2Peer()].filter((p): p is Peer => p !== null);
  const times = new Map<PeerName, Restart[]>(peers.map((p) => [p.name, []]));
  try {
    for (const p of peers) await measureOnce(p); // warm-up: page cache, JIT
    for (let r = 0; r < rounds; r++) {
      const order = peers.map((_, i) => peers[(i + r) % peers.length]);
      for (const p of order) times.get(p.name)!.push(await measureOnce(p));
    }
  } finally {
    for (const p of peers) await p.stop();
  }
  const bare = times.get('bare')!;
  return { rounds, peers: Object.fromEntries([...times].map(([name, v]) => [name, figures(v, bare)])) };
}
