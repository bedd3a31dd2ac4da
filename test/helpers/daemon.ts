/**
 * Runs the real daemon (`node dist/daemon/cli.js daemon`) as a separate process in a temp dir,
 * on ephemeral ports, supervising the real simulated gateway.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Test } from 'tap';
import { DAEMON_NODE_FLAGS } from '../../daemon/node-flags.js';
import { packageRoot } from '../../daemon/package-root.js';
import { freePort } from '../../testkit/ports.js';
import { waitFor } from '../../testkit/wait-for.js';
import { isAlive, groupPids, killQuietly, processesUnder } from './process-table.js';
import { tempDir, type Teardown } from './temp-dir.js';

export const CLI = join(packageRoot, 'dist/daemon/cli.js');

/**
 * Environment for the daemon and CLI processes: NODE_OPTIONS is emptied, as for the
 * supervisor fixtures — under tap it loads tap's process-info hook into every node started,
 * which nearly doubles a CLI invocation's start-up.
 */
const PROCESS_ENV = { IBGW_ADMIN_TOKEN: '', IBGW_CONFIG: '', NODE_OPTIONS: '' };

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `ibgw ARGS` as a separate process (dist/daemon/cli.js); env overrides are merged over a clean one. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return promisify(execFile)(process.execPath, [CLI, ...args], { env: { ...process.env, ...PROCESS_ENV, ...env }, timeout: 60_000 })
    .then((r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }))
    .catch((err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }));
}

export interface DaemonProcess {
  child: ChildProcess;
  dir: string;
  dataDir: string;
  configFile: string;
  apiUrl: string;
  apiPort: number;
  gatewayPort: number;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  token(): string;
  api(method: string, path: string, options?: { token?: string | null; body?: unknown }): Promise<{ status: number; body: any }>;
  status(): Promise<any>;
  waitGateway(state: string, timeoutMs?: number): Promise<any>;
  /** The status once the gateway runs again under a pid other than `beforePid` (a restart happened). */
  waitRestarted(beforePid: number, timeoutMs?: number): Promise<any>;
}

export interface StartDaemonOptions {
  /** YAML appended to the generated config (ports and dataDir are set already). */
  yaml?: string;
  env?: NodeJS.ProcessEnv;
  waitReady?: boolean;
  /** Keep IBKR's shipped reset windows (off by default: see RESETS_OFF). */
  ibkrResets?: boolean;
}

/** A small config: short grace and timers so tests run fast; everything else as shipped. */
export function baseYaml(apiPort: number, gatewayPort: number): string {
  return [
    'dataDir: data',
    'api:',
    `  port: ${apiPort}`,
    '  authMaxFailures: 3',
    '  authFailureDelayMs: 1',
    'gateway:',
    `  port: ${gatewayPort}`,
    '  stopGraceMs: 1000',
    '  startTimeoutMs: 20000',
    '',
  ].join('\n');
}

/**
 * IBKR's reset windows off unless a test sets its own. The shipped ones (daily 23:45 New York for
 * 90 minutes, Saturdays from 23:00 for 3 hours) hold the session out of needs-login — no login
 * is tried while IBKR resets — so a test expecting the login prompt failed whenever the suite
 * ran inside one (04:45–06:15 UTC in winter). Written into the test's own `session:` section when
 * it has one, else as a section before `gateway:` (which tests continue, being the last).
 */
const RESETS_OFF = '  resets:\n    daily: null\n    weekly: null\n';

function withResetsOff(base: string, extra: string): string {
  if (/^session:/m.test(extra)) return base + (/^ {2}resets:/m.test(extra) ? extra : extra.replace(/^session:[ \t]*\n/m, `session:\n${RESETS_OFF}`));
  return base.replace(/^gateway:/m, `session:\n${RESETS_OFF}gateway:`) + extra;
}

export async function startDaemonProcess(t: Teardown, options: StartDaemonOptions = {}): Promise<DaemonProcess> {
  const dir = tempDir(t, 'ibgw-daemon-');
  const apiPort = await freePort();
  const gatewayPort = await freePort();
  const configFile = join(dir, 'ibgw.yaml');
  const base = baseYaml(apiPort, gatewayPort);
  writeFileSync(configFile, options.ibkrResets ? base + (options.yaml ?? '') : withResetsOff(base, options.yaml ?? ''));
  // As every launcher runs it (daemon/node-flags.ts).
  const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, CLI, 'daemon', '--config', configFile], {
    cwd: dir,
    env: { ...process.env, ...PROCESS_ENV, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const dataDir = join(dir, 'data');
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const seenGroups = new Set<number>();
  const token = () => options.env?.IBGW_ADMIN_TOKEN || readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  const api: DaemonProcess['api'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = {};
    const tok = opts.token === undefined ? token() : opts.token;
    if (tok !== null) headers.authorization = `Bearer ${tok}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(apiUrl + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const text = await res.text();
    let body: unknown = text;
    try { body = JSON.parse(text); } catch { /* not JSON */ }
    return { status: res.status, body };
  };
  const status = async () => {
    const s = (await api('GET', '/api/v1/status', { token: null })).body;
    if (s?.gateway?.pid) seenGroups.add(s.gateway.pid);
    return s;
  };
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    // Whatever the test did, leave no gateway behind (the lifeline normally sees to it, but only
    // after its grace: until then a gateway the test never asked about still writes into the
    // data dir, and the folder's removal would race it).
    for (const g of seenGroups) killQuietly({ groups: [g] });
    const left = () => processesUnder(dir).map((p) => p.pid);
    killQuietly({ pids: left() });
    await waitFor(() => left().length === 0, 10_000, `no process left under ${dir}`, 50).catch(() => undefined);
  });
  const d: DaemonProcess = {
    child, dir, dataDir, configFile, apiUrl, apiPort, gatewayPort, exited,
    output: () => out,
    token,
    api,
    status,
    async waitGateway(state: string, timeoutMs = 30_000) {
      return waitFor(async () => {
        const s = await status().catch(() => null);
        return s?.gateway?.state === state ? s : null;
      }, timeoutMs, `gateway ${state}; output:\n${out.slice(-2000)}`, 50);
    },
    async waitRestarted(beforePid: number, timeoutMs = 30_000) {
      return waitFor(async () => {
        const s = await status().catch(() => null);
        return s?.gateway?.state === 'running' && s.gateway.pid !== beforePid ? s : null;
      }, timeoutMs, `gateway running again (pid was ${beforePid}); output:\n${out.slice(-2000)}`, 50);
    },
  };
  await waitFor(async () => (await fetch(apiUrl + '/healthz').catch(() => null))?.ok, 30_000, `daemon API up; output:\n${out.slice(-2000)}`, 50);
  if (options.waitReady !== false) await d.waitGateway('running');
  return d;
}

/** Every pid of the group is gone (zombies waiting for a reaper count as gone). */
export function groupGone(pgid: number): boolean {
  return groupPids(pgid).length === 0 && !isAlive(pgid);
}

/**
 * Waits until the gateway runs again under a pid other than `beforePid`, and checks that the
 * daemon recorded the restart with `reason` (a planned restart carries its caller's). Returns the new pid.
 */
export async function restartedFor(t: Test, d: DaemonProcess, reason: string, beforePid: number): Promise<number> {
  const after = (await d.waitRestarted(beforePid)).gateway.pid as number;
  const events = (await d.api('GET', '/api/v1/events?type=gateway.transition&limit=1000')).body.events as Array<{ data?: { reason?: string } }>;
  t.ok(events.some((e) => e.data?.reason === reason), `the gateway restarted for "${reason}"`);
  return after;
}
