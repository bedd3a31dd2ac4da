import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { FootprintReport } from '../daemon/diagnostics/footprint.js';
import { DAEMON_NODE_FLAGS } from '../daemon/node-flags.js';
import { packageRoot } from '../daemon/package-root.js';
import { ProcUsageReader } from '../daemon/supervisor/proc-usage.js';
import { freePort } from '../testkit/ports.js';
import { waitFor } from '../testkit/wait-for.js';
import { median } from './measure.js';
import { startPm2 } from './peers/pm2.js';

/** Median RSS and CPU over the samples; private and executable pages at the last one. */
export type IdleSample = { rssMb: number; cpuPct: number; privateMb: number; nodeExecutableMb: number };

export interface IdleBench {
  ours: IdleSample;
  pm2: IdleSample | null;
  /** An idle `node` with the same flags: the floor any Node daemon starts from. */
  bareNode: IdleSample;
  /** The IBKR session the daemon logged in to unattended before it was measured. */
  sessionState: string | null;
  footprint: FootprintReport | null;
}

const CLI = join(packageRoot, 'dist', 'daemon', 'cli.js');

/**
 * What of a process's RSS is its own: pages no other process maps (smaps_rollup's Private_*),
 * and how much is the node executable's own code and data read from disk, the same pages in
 * every node process on the machine (pm2's, the simulator's, ours).
 */
export function memoryParts(pid: number): { privateMb: number; nodeExecutableMb: number } {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0);
  let executableKb = 0;
  let inExecutable = false;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) inExecutable = mapping[1] === process.execPath || mapping[1]!.endsWith('/node');
    else if (inExecutable && line.startsWith('Rss:')) executableKb += Number(line.split(/\s+/)[1]);
  }
  return { privateMb: (kb('Private_Clean') + kb('Private_Dirty')) / 1024, nodeExecutableMb: executableKb / 1024 };
}

async function sample(pid: number, seconds: number): Promise<IdleSample> {
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
  return { rssMb: median(rss), cpuPct: median(cpu), ...memoryParts(pid) };
}

function cli(dir: string, configFile: string, args: string[], stdin = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [CLI, ...args, '--config', configFile], { cwd: dir, env: { ...process.env, NODE_OPTIONS: '', IBGW_CONFIG: '' }, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`ibgw ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(stdout);
    });
    child.stdin!.end(stdin);
  });
}

/**
 * Every capability a user can switch on: stored credentials in the vault (so the daemon logs in
 * unattended), three notification channels with rules, the admin UI and API docs (on by
 * default), an app token, a cron maintenance window, TLS generated, the simulated gateway.
 */
async function everyCapability(dir: string, apiPort: number, gatewayPort: number): Promise<string> {
  const configFile = join(dir, 'ibgw.yaml');
  const unused = await freePort();
  writeFileSync(configFile, stringify({
    dataDir: 'data',
    api: { port: apiPort },
    gateway: { port: gatewayPort },
    // No IBKR reset windows: inside the shipped ones no login happens, and the figure would lack it.
    session: { resets: { daily: null, weekly: null } },
    logging: { level: 'warn' },
    vault: { keyFile: 'vault.key' },
    notifications: {
      channels: [
        { name: 'hook', type: 'webhook', url: `http://127.0.0.1:${unused}/hook` },
        { name: 'mail', type: 'email', host: '127.0.0.1', port: unused, tls: 'none', from: 'ibgw@localhost', to: ['admin@localhost'] },
        { name: 'script', type: 'command', command: ['/bin/true'] },
      ],
      rules: [{ preset: 'unclean-start' }, { preset: 'gateway-crash-loop' }, { preset: 'session-needs-login' }],
    },
  }));
  await cli(dir, configFile, ['keys', 'generate', '--write']);
  await cli(dir, configFile, ['credentials', 'set', '--username', 'demo', '--password-stdin'], 'demo1234\n');
  return configFile;
}

/**
 * The daemon's own footprint while it supervises the simulated gateway with every capability
 * configured, beside pm2's God daemon supervising one process and an idle bare node. The
 * daemon reports its memory per phase of its start (--footprint): where the megabytes go.
 */
export async function benchIdle(seconds = 8): Promise<IdleBench> {
  const dir = mkdtempSync(join(tmpdir(), 'ibgw-bench-idle-'));
  const apiPort = await freePort();
  const configFile = await everyCapability(dir, apiPort, await freePort());
  const footprintFile = join(dir, 'footprint.json');
  // Launched exactly as `npm start`, the ibgw bin, pm2 and systemd launch it.
  const daemon = spawn(process.execPath, [...DAEMON_NODE_FLAGS, CLI, 'daemon', '--config', configFile, '--footprint', footprintFile], { cwd: dir, stdio: 'ignore', env: { ...process.env, NODE_OPTIONS: '', IBGW_CONFIG: '' } });
  let ours: IdleSample;
  let sessionState: string | null;
  let footprint: FootprintReport | null;
  try {
    // Connection refused until the API listens: that is "not yet", not a failure.
    const status = async () => {
      const res = await fetch(`http://127.0.0.1:${apiPort}/api/v1/status`).catch(() => null);
      return res?.ok ? ((await res.json()) as { gateway: { state: string }; session: { state: string } | null }) : null;
    };
    await waitFor(async () => (await status())?.gateway.state === 'running', 120_000, 'the daemon to run the gateway', 200);
    await cli(dir, configFile, ['maintenance', 'add', '--title', 'nightly', '--action', 'restart', '--cron', '0 3 * * *', '--tz', 'America/New_York', '--duration', '10']);
    await cli(dir, configFile, ['tokens', 'create', '--name', 'bench-app', '--scope', 'read']);
    // The unattended login (a browser in a helper process) is part of what the daemon has done
    // by the time a user looks at it; measured after it, whichever way it ended.
    await waitFor(async () => ['authenticated', 'needs-login', 'blocked'].includes((await status())?.session?.state ?? ''), 90_000, 'the unattended login', 500).catch(() => undefined);
    sessionState = (await status())?.session?.state ?? null;
    await waitFor(() => existsSync(footprintFile) && (JSON.parse(readFileSync(footprintFile, 'utf8')) as FootprintReport).heapSpaces !== null, 30_000, 'the idle footprint mark', 500);
    footprint = JSON.parse(readFileSync(footprintFile, 'utf8')) as FootprintReport;
    ours = await sample(daemon.pid!, seconds);
  } finally {
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
  }
  const bare = spawn(process.execPath, [...DAEMON_NODE_FLAGS, '-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', env: { ...process.env, NODE_OPTIONS: '' } });
  let bareNode: IdleSample;
  try {
    await new Promise((r) => setTimeout(r, 500));
    bareNode = await sample(bare.pid!, 3);
  } finally {
    bare.kill('SIGKILL');
  }
  let pm2Result: IdleSample | null = null;
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
  return { ours, pm2: pm2Result, bareNode, sessionState, footprint };
}

/** The footprint as a table: each phase's resident memory and what it added. */
export function footprintLines(report: FootprintReport): string[] {
  const lines: string[] = [];
  let previous = 0;
  // Services that add less than this are folded into one line; the table is for the big ones.
  const foldBelowMb = 0.5;
  let folded: string[] = [];
  const flush = () => {
    if (folded.length > 0) lines.push(`  ${'(each < 0.5 MB)'.padEnd(26)} ${folded.join(', ')}`);
    folded = [];
  };
  for (const p of report.phases) {
    const added = p.rssMb - previous;
    previous = p.rssMb;
    if (p.phase.startsWith('service ') && Math.abs(added) < foldBelowMb) {
      folded.push(p.phase.slice('service '.length));
      continue;
    }
    flush();
    const sign = added >= 0 ? '+' : '−';
    lines.push(`  ${p.phase.padEnd(26)} RSS ${p.rssMb.toFixed(1).padStart(5)} MB (${sign}${Math.abs(added).toFixed(1).padStart(4)})   heap used ${p.heapUsedMb.toFixed(1).padStart(4)} MB   external ${p.externalMb.toFixed(1)} MB   at ${p.atMs} ms`);
  }
  flush();
  if (report.heapSpaces) {
    const spaces = Object.entries(report.heapSpaces).filter(([, s]) => s.sizeMb >= 0.1).map(([name, s]) => `${name.replace(/_space$/, '')} ${s.usedMb.toFixed(1)}/${s.sizeMb.toFixed(1)}`);
    lines.push(`  V8 heap at idle (used/size MB): ${spaces.join(', ')}`);
  }
  return lines;
}
