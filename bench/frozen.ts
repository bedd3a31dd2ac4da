/**
 * A frozen gateway → a new one ready, with the DEFAULT settings (config/default.yaml) and the
 * daemon's real parts: the simulated kind's launch (conf.yaml, keystore, the simulator as a real
 * HTTPS process with IBKR's pacing), the Supervisor, and the SessionKeeper wired as
 * daemon/services/session-keepers.ts wires it. The whole process group is stopped with SIGSTOP
 * — from outside, a JVM stuck in a GC pause or a deadlock looks the same — at a random moment
 * of the probe cycle, and the time to the supervisor's next `ready` is taken, split into its
 * parts: deciding (freeze → restart requested), stopping the old group, starting the new one.
 *
 * Beside it, IBeam's documented defaults for a gateway that stops answering (see session.ts):
 * the next maintenance check is on average 30 s away and waits 15 s for its request.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../daemon/config/load.js';
import { createGateway } from '../daemon/gateway/index.js';
import { SessionKeeper } from '../daemon/session/index.js';
import { isUp, Supervisor } from '../daemon/supervisor/index.js';
import { freePort } from '../testkit/ports.js';
import { waitFor } from '../testkit/wait-for.js';

const TRIALS = 4;
/** IBeam: 60 s maintenance interval, so 30 s on average to the next check, then its 15 s request timeout. */
const IBEAM_DECIDE_MS = 30_000 + 15_000;
/** What the issue measured before this work, with the then defaults (5 s liveness, 3 s timeout, full 5 s grace). */
const BEFORE_MS = 18_400;

export type FrozenBench = {
  /** Freeze → new gateway ready, mean over trials. Goal ≤ 10000. */
  frozenToReadyMs: number;
  frozenToReadyMinMs: number;
  frozenToReadyMaxMs: number;
  decideMs: number;
  stopMs: number;
  startMs: number;
  trials: number;
  ibeamDecideMs: number;
  beforeMs: number;
};

interface Marks { restartAt?: number; exitAt?: number; readyAt?: number; readyPid?: number }

export async function benchFrozen(trials = TRIALS): Promise<FrozenBench> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ibgw-bench-frozen-'));
  const { config } = loadConfig({ env: {} });
  config.dataDir = dataDir;
  config.gateway = { ...config.gateway, port: await freePort(), env: { NODE_OPTIONS: '' } };
  const gateway = createGateway(config, { dataDir, watch: false });
  const g = config.gateway;
  const sup = new Supervisor({
    dataDir, startTimeoutMs: g.startTimeoutMs, stopGraceMs: g.stopGraceMs, readyProbeIntervalMs: g.readyProbeIntervalMs, restart: g.restart,
    resources: g.resources, logs: g.logs, launch: () => gateway.launch(), redactLine: gateway.redactLine,
  });
  let marks: Marks = {};
  const keeper = new SessionKeeper({
    config: config.session, baseUrl: () => gateway.baseUrl(), ca: () => gateway.ca(),
    gateway: {
      isRunning: () => isUp(sup.status().state),
      isReady: () => sup.status().state === 'running',
      restart: (reason, options) => {
        marks.restartAt ??= performance.now();
        return sup.restart(reason, options).then(() => undefined);
      },
    },
  });
  sup.on('ready', (e) => {
    marks.readyAt ??= performance.now();
    marks.readyPid ??= e.pid;
    keeper.onGatewayReady();
  });
  sup.on('exit', () => {
    marks.exitAt ??= performance.now();
    keeper.onGatewayDown();
  });
  const control = async (path: string, body: unknown): Promise<void> => {
    const info = await waitFor(() => {
      try {
        const i = JSON.parse(readFileSync(gateway.info().simControlFile!, 'utf8')) as { port: number; token: string; pid: number };
        return i.pid === sup.status().pid ? i : null;
      } catch { return null; }
    }, 20_000, 'the simulator control file', 20);
    await new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: info.port, path, method: 'POST', agent: false, headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', reject);
      req.end(JSON.stringify(body));
    });
  };
  const results: Array<{ total: number; decide: number; stop: number; start: number }> = [];
  try {
    keeper.start();
    await sup.start('bench');
    for (let i = 0; i < trials; i++) {
      await control('/session/login', { username: 'demo', immediate: true });
      await waitFor(() => keeper.status().state === 'authenticated', 30_000, 'authenticated', 20);
      // A random moment of the probe cycle, not right after a probe.
      await new Promise((r) => setTimeout(r, 500 + Math.random() * config.session.livenessIntervalMs * 1.5));
      const pid = sup.status().pid!;
      marks = {};
      const frozenAt = performance.now();
      process.kill(-pid, 'SIGSTOP');
      await waitFor(() => marks.readyPid !== undefined && marks.readyPid !== pid, 60_000, 'a new gateway ready', 5);
      const m = marks as Required<Marks>;
      results.push({ total: m.readyAt - frozenAt, decide: m.restartAt - frozenAt, stop: m.exitAt - m.restartAt, start: m.readyAt - m.exitAt });
    }
  } finally {
    await keeper.stop();
    await sup.close();
    await gateway.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const mean = (k: keyof (typeof results)[number]) => results.reduce((a, r) => a + r[k], 0) / results.length;
  const totals = results.map((r) => r.total);
  return {
    frozenToReadyMs: mean('total'), frozenToReadyMinMs: Math.min(...totals), frozenToReadyMaxMs: Math.max(...totals),
    decideMs: mean('decide'), stopMs: mean('stop'), startMs: mean('start'), trials, ibeamDecideMs: IBEAM_DECIDE_MS, beforeMs: BEFORE_MS,
  };
}

// `node dist/bench/frozen.js` runs it alone.
if (process.argv[1] && /bench[\\/]frozen\.js$/.test(process.argv[1])) {
  benchFrozen().then((r) => console.log(JSON.stringify(r, null, 2)), (err) => { console.error(err); process.exitCode = 1; });
}
