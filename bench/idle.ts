import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcUsageReader } from '../daemon/supervisor/proc-usage.js';
import { packageRoot } from '../daemon/package-root.js';
import { freePort } from '../testkit/ports.js';
import { waitFor } from '../testkit/wait-for.js';
import { median } from './measure.js';
import { startPm2 } from './peers/pm2.js';

export interface IdleBench {
  oursRssMb: number;
  oursCpuPct: number;
  pm2RssMb: number | null;
  pm2CpuPct: number | null;
}

async function sample(pid: number, seconds: number): Promise<{ rssMb: number; cpuPct: number }> {
  const rss: number[] = [];
  const cpu: number[] = [];
  const usage = new ProcUsageReader();
  usage.read(pid);
  for (let i = 0; i < seconds; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    const s = usage.read(pid);
    if (!s) throw new Error(`process ${pid} ended while being measured`);
    rss.push(s.memory / 1048576);
    cpu.push(s.cpu);
  }
  return { rssMb: median(rss), cpuPct: median(cpu) };
}

/**
 * The daemon's own footprint while it supervises the simulated gateway (default config:
 * tickles, resource sampling, watchers), beside pm2's God daemon supervising one process.
 */
export async function benchIdle(seconds = 8): Promise<IdleBench> {
  const dir = mkdtempSync(join(tmpdir(), 'ibgw-bench-idle-'));
  const apiPort = await freePort();
  const gwPort = await freePort();
  const configFile = join(dir, 'ibgw.yaml');
  writeFileSync(configFile, `dataDir: data\napi:\n  port: ${apiPort}\ngateway:\n  port: ${gwPort}\nlogging:\n  level: warn\n`);
  // Launched exactly as `npm start`, pm2 (ecosystem.config.js) and systemd launch it.
  const startScript = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const nodeFlags = startScript.split(/\s+/).filter((a) => a.startsWith('--'));
  const daemon = spawn(process.execPath, [...nodeFlags, join(packageRoot, 'dist', 'daemon', 'cli.js'), 'daemon', '--config', configFile], { cwd: dir, stdio: 'ignore' });
  let ours: { rssMb: number; cpuPct: number };
  try {
    // Connection refused until the API listens: that is "not yet", not a failure.
    const gatewayState = async () => {
      const res = await fetch(`http://127.0.0.1:${apiPort}/api/v1/status`).catch(() => null);
      return res?.ok ? ((await res.json()) as { gateway: { state: string } }).gateway.state : null;
    };
    await waitFor(async () => (await gatewayState()) === 'running', 120_000, 'the daemon to run the gateway', 200);
    ours = await sample(daemon.pid!, seconds);
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
  }
  let pm2Result: { rssMb: number; cpuPct: number } | null = null;
  const port = await freePort();
  const pm2 = await startPm2(join(packageRoot, 'bench', 'fixtures', 'restart-server.mjs'), port).catch(() => null);
  if (pm2) {
    try {
      const pid = await pm2.daemonPid();
      if (pid) pm2Result = await sample(pid, seconds);
    } finally {
      await pm2.stop();
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return { oursRssMb: ours.rssMb, oursCpuPct: ours.cpuPct, pm2RssMb: pm2Result?.rssMb ?? null, pm2CpuPct: pm2Result?.cpuPct ?? null };
}
