/**
 * The daemon's restart machinery in a process of its own, as it runs for real: the Supervisor
 * with the gateway kind's launch() before every spawn (kind simulated: conf.yaml rendered,
 * keystore checked, sim-config written), only the program replaced by the benchmark's fixture
 * (gateway.command, as a user's own wrapper would be). In the benchmark's own process it would
 * share one event loop with the measuring probes, which no real daemon does.
 *
 *   node dist/bench/peers/supervisor-process.js <port> <fixture>   → prints "ready" once listening
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../daemon/config/load.js';
import { createGateway } from '../../daemon/gateway/index.js';
import { Supervisor } from '../../daemon/supervisor/index.js';

const [port, fixture] = [Number(process.argv[2]), process.argv[3]];
const dataDir = mkdtempSync(join(tmpdir(), 'ibgw-bench-sup-'));
const { config } = loadConfig({ env: {} });
config.dataDir = dataDir;
config.gateway = { ...config.gateway, port, command: [process.execPath, fixture], env: { PORT: String(port) } };
const gateway = createGateway(config, { dataDir, watch: false });
const supervisor = new Supervisor({
  launch: () => gateway.launch(),
  dataDir,
  startTimeoutMs: 10_000,
  stopGraceMs: 2_000,
  readyProbeIntervalMs: config.gateway.readyProbeIntervalMs,
  // Crash restarts at once (backoff 0), like the peers (pm2 --restart-delay 0): what is measured
  // is the machinery — launch(), group spawn behind the lifeline, port check, run record, capture.
  restart: { backoff: { initialMs: 0, maxMs: 0, factor: 1, jitter: 0 }, stableAfterMs: 0, maxRestarts: 100_000, windowMs: 600_000 },
  resources: { sampleIntervalMs: 5_000, memoryLimitMb: null },
  logs: { ringLines: 200, maxFileBytes: 1_048_576, maxFiles: 2 },
});
process.once('SIGTERM', () => {
  void (async () => {
    await supervisor.close();
    await gateway.close();
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  })();
});
await supervisor.start('bench');
process.stdout.write('ready\n');
