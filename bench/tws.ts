/**
 * IB Gateway kind: time from a gateway exit to the TWS API handshake answered again — the
 * figure a TWS API client waits through. The simulated IB Gateway under the simulated IBC
 * launcher, run two ways side by side and measured round-robin: by the daemon (kind
 * simulated-tws: managed config.ini/jts.ini, process group, lifeline, login gate, readiness
 * probe, backoff at its floor) and by a bare respawn loop running the same launcher command.
 * The simulator's own login time (loginDelayMs + authDelayMs) is in both.
 *
 *   node dist/bench/tws.js [rounds]     (run.ts hooks benchTws beside the Client Portal figure)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { loadConfig } from '../daemon/config/load.js';
import { createGateway } from '../daemon/gateway/index.js';
import type { TwsGateway } from '../daemon/gateway/tws-gateway.js';
import { Supervisor } from '../daemon/supervisor/index.js';
import { TwsApiConnection } from '../daemon/tws/api-connection.js';
import { freePort } from '../testkit/ports.js';
import { median, waitClosed } from './measure.js';
import { startBareLoop } from './peers/bare-loop.js';

export interface TwsBench {
  rounds: number;
  bareMs: number;
  oursMs: number;
  /** The simulated login inside every restart (both peers). */
  loginMs: number;
}

const SIM_LOGIN = { loginDelayMs: 50, authDelayMs: 20 };

interface Peer {
  name: 'bare' | 'ours';
  port: number;
  controlFile: string;
  stop(): Promise<void>;
}

/** A simulated-tws gateway in its own data dir, with the bench's short simulated login. */
async function makeGateway(dir: string): Promise<{ gateway: TwsGateway; port: number; config: ReturnType<typeof loadConfig>['config'] }> {
  const port = await freePort();
  const file = join(dir, 'ibgw.yaml');
  writeFileSync(file, stringify({
    dataDir: join(dir, 'data'),
    gateway: {
      kind: 'simulated-tws', port, env: { NODE_OPTIONS: '' }, readyProbeIntervalMs: 10, stopGraceMs: 2000,
      restart: { backoff: { initialMs: 1, maxMs: 1, factor: 1, jitter: 0 }, stableAfterMs: 0, maxRestarts: 1000, windowMs: 600_000 },
      ibc: { commandServerPort: await freePort() },
    },
  }));
  const { config } = loadConfig({ file, env: {}, cwd: dir });
  const gateway = createGateway(config, { dataDir: config.dataDir, watch: false }) as TwsGateway;
  return { gateway, port, config };
}

/** The simulator's sim-config written by the kind, with the bench's login timings merged in. */
function shortenLogin(gateway: TwsGateway): void {
  const path = join(gateway.simControlFile!, '..', 'sim-tws.json');
  writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, 'utf8')), ...SIM_LOGIN }), { mode: 0o600 });
}

async function startOurs(): Promise<Peer> {
  const dir = mkdtempSync(join(tmpdir(), 'ibgw-bench-tws-'));
  const { gateway, port, config } = await makeGateway(dir);
  const g = config.gateway;
  const supervisor = new Supervisor({
    launch: async () => {
      const spec = await gateway.launch();
      shortenLogin(gateway);
      return spec;
    },
    dataDir: config.dataDir, startTimeoutMs: 20_000, stopGraceMs: g.stopGraceMs, readyProbeIntervalMs: g.readyProbeIntervalMs,
    restart: g.restart, resources: { sampleIntervalMs: 5000, memoryLimitMb: null }, logs: { ringLines: 200, maxFileBytes: 1_048_576, maxFiles: 2 },
  });
  await supervisor.start('bench');
  return {
    name: 'ours', port, controlFile: gateway.simControlFile!,
    async stop() {
      await supervisor.close();
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startBare(): Promise<Peer> {
  const dir = mkdtempSync(join(tmpdir(), 'ibgw-bench-twsbare-'));
  const { gateway, port } = await makeGateway(dir);
  const { command, env } = await gateway.launch();
  shortenLogin(gateway);
  const loop = startBareLoop(command, { ...process.env, ...env });
  return {
    name: 'bare', port, controlFile: gateway.simControlFile!,
    async stop() {
      await loop.stop();
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the time the server version arrived on a fresh connection. */
async function handshakeAnswered(port: number, timeoutMs = 30_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const r = await TwsApiConnection.open({ host: '127.0.0.1', port, clientId: 0, timeoutMs: 500, startApi: false });
    if (r.ok) {
      r.conn.close();
      return performance.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`no TWS API handshake on ${port} within ${timeoutMs} ms`);
}

function crash(controlFile: string): Promise<void> {
  const info = JSON.parse(readFileSync(controlFile, 'utf8')) as { port: number; token: string };
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: info.port, path: '/fault/crash', method: 'POST', agent: false, headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', reject);
    req.end('{"code":1}');
  });
}

/** One exit → handshake-again time. The crash makes the "JVM" exit 1; ibcstart.sh then ends too. */
async function exitToHandshake(p: Peer): Promise<number> {
  await handshakeAnswered(p.port);
  const t0 = performance.now();
  await crash(p.controlFile);
  await waitClosed(p.port);
  return (await handshakeAnswered(p.port)) - t0;
}

export async function benchTws(rounds = 9): Promise<TwsBench> {
  const peers = [await startBare(), await startOurs()];
  const times = new Map<Peer['name'], number[]>(peers.map((p) => [p.name, []]));
  try {
    for (const p of peers) await exitToHandshake(p); // warm-up
    for (let r = 0; r < rounds; r++) for (const p of peers) times.get(p.name)!.push(await exitToHandshake(p));
  } finally {
    for (const p of peers) await p.stop();
  }
  return { rounds, bareMs: median(times.get('bare')!), oursMs: median(times.get('ours')!), loginMs: SIM_LOGIN.loginDelayMs + SIM_LOGIN.authDelayMs };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchTws(Number(process.argv[2]) || 9).then((r) => {
    console.log(`== IB Gateway kind: gateway exit → TWS API handshake answered again (median of ${r.rounds} rounds, simulated login ${r.loginMs} ms inside)`);
    console.log(`bare respawn loop   ${r.bareMs.toFixed(1)} ms`);
    console.log(`ibgw-supervisor     ${r.oursMs.toFixed(1)} ms   overhead ${(r.oursMs - r.bareMs).toFixed(1)} ms (${(((r.oursMs - r.bareMs) / r.bareMs) * 100).toFixed(1)} %)`);
    process.exit(0);
  }, (err) => {
    console.error(err);
    process.exit(1);
  });
}
