/**
 * The simulated IB Gateway for tests: a fake IB Gateway install (jars/ + ibgateway.vmoptions,
 * which ibcstart.sh checks), a TWS settings folder with jts.ini, IBC's config.ini, and the
 * simulated IBC's launcher (dist/scripts/sim/tws/ibc — run `npm run build` first) started in a
 * process group of its own, so a teardown can kill launcher and "JVM" together.
 *
 *   const gw = await startTwsSim(t, { ini: { ReadOnlyApi: 'yes' }, trustedIps: ['127.0.0.1'] });
 *   await gw.control('/fault/unreachable', { on: true });
 *   await gw.command('STOP');                       // IBC's command server
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeFrame, encodeHandshake, FrameReader } from '../../scripts/sim/tws/wire.js';
import { freePort } from '../../testkit/ports.js';
import { rawRequest } from './sim.js';
import { waitFor } from '../../testkit/wait-for.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const IBC_HOME = join(root, 'dist/scripts/sim/tws/ibc');
export const IBCSTART = join(IBC_HOME, 'scripts/ibcstart.sh');
export const SIM_TWS_MAIN = join(root, 'dist/scripts/sim/tws/main.js');

interface Tap {
  teardown(fn: () => unknown): void;
}

/** `<dir>/Jts/ibgateway/<version>/{jars/,ibgateway.vmoptions}`: what ibcstart.sh looks for. */
export function fakeGatewayInstall(dir: string, version = '1019'): { twsPath: string; programPath: string; version: string } {
  const twsPath = join(dir, 'Jts');
  const programPath = join(twsPath, 'ibgateway', version);
  mkdirSync(join(programPath, 'jars'), { recursive: true });
  writeFileSync(join(programPath, 'ibgateway.vmoptions'), '-Xmx768m\n');
  return { twsPath, programPath, version };
}

export interface StartTwsSimOptions {
  /** config.ini keys over the test defaults (demo credentials, paper, free ports, reject). */
  ini?: Record<string, string>;
  trustedIps?: string[];
  /** Merged over { control: … }. */
  simConfig?: Record<string, unknown>;
  /** Extra ibcstart.sh arguments (e.g. --on2fatimeout=restart). */
  launcherArgs?: string[];
  /** api (default): until the API port listens; none: return at once. */
  waitFor?: 'api' | 'none';
  timeoutMs?: number;
}

export interface TwsSim {
  dir: string;
  settingsDir: string;
  iniPath: string;
  apiPort: number;
  commandPort: number;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  control(path: string, body?: unknown): Promise<any>;
  /** One IBC command server exchange: the first answer line ('' when closed without one). */
  command(line: string, localAddress?: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startTwsSim(t: Tap, options: StartTwsSimOptions = {}): Promise<TwsSim> {
  const dir = mkdtempSync(join(tmpdir(), 'ibgw-simtws-'));
  const install = fakeGatewayInstall(dir);
  const settingsDir = join(dir, 'jts');
  mkdirSync(settingsDir);
  writeFileSync(join(settingsDir, 'jts.ini'), `[IBGateway]\nTrustedIPs=${(options.trustedIps ?? ['127.0.0.1']).join(',')}\nApiOnly=true\n`);
  const [apiPort, commandPort] = [await freePort(), await freePort()];
  const ini: Record<string, string> = {
    IbLoginId: 'demo', IbPassword: 'demo1234', TradingMode: 'paper', OverrideTwsApiPort: String(apiPort),
    CommandServerPort: String(commandPort), ReadOnlyApi: 'yes', AcceptIncomingConnectionAction: 'reject',
    ExistingSessionDetectedAction: 'secondary', ...options.ini,
  };
  const iniPath = join(dir, 'config.ini');
  writeFileSync(iniPath, Object.entries(ini).map(([k, v]) => `${k}=${v}`).join('\n') + '\n', { mode: 0o600 });
  const token = randomBytes(12).toString('hex');
  const infoFile = join(dir, 'sim-tws-control.json');
  const simConfigPath = join(dir, 'sim-tws.json');
  writeFileSync(simConfigPath, JSON.stringify({ loginDelayMs: 50, authDelayMs: 20, ...options.simConfig, control: { port: 0, token, infoFile } }));

  const child = spawn(IBCSTART, [
    install.version, '-g', `--tws-path=${install.twsPath}`, `--tws-settings-path=${settingsDir}`, `--ibc-path=${IBC_HOME}`,
    `--ibc-ini=${iniPath}`, '--mode=paper', '--on2fatimeout=exit', ...(options.launcherArgs ?? []),
  ], { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '', IBGW_SIM_NODE: process.execPath, IBGW_SIM_TWS_CONFIG: simConfigPath } });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  let alive = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => {
    alive = false;
    r({ code, signal });
  }));
  const stop = async () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch { /* gone */ }
    if (alive) await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  t.teardown(stop);
  const readInfo = () => {
    try {
      return existsSync(infoFile) ? JSON.parse(readFileSync(infoFile, 'utf8')) as { port: number; apiPort: number | null; commandPort: number | null } : undefined;
    } catch {
      return undefined;
    }
  };
  if ((options.waitFor ?? 'api') === 'api') {
    await waitFor(() => {
      if (!alive) throw new Error(`launcher exited early:\n${output}`);
      return readInfo()?.apiPort;
    }, options.timeoutMs ?? 20_000, 'the simulated gateway API port');
    // A command port taken by another process would send this test's commands elsewhere.
    const wanted = Number(ini.CommandServerPort) || null;
    if (readInfo()?.commandPort !== wanted) throw new Error(`the command server did not open port ${wanted}:\n${output}`);
  }
  return {
    dir, settingsDir, iniPath, apiPort, commandPort, child, exited, output: () => output, stop,
    async control(path, body) {
      const info = await waitFor(readInfo, 10_000, 'the control info file');
      const res = await rawRequest(`http://127.0.0.1:${info.port}${path}`, body === undefined ? 'GET' : 'POST', {
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
      });
      if (res.status !== 200) throw new Error(`control ${path} answered ${res.status}: ${res.body}`);
      return res.json();
    },
    command: (line, localAddress) => commandExchange(commandPort, line, localAddress),
  };
}

export function commandExchange(port: number, line: string, localAddress?: string): Promise<string> {
  return new Promise((resolveLine, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress }, () => socket.write(line + '\n'));
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer to ${line} within 5 s`));
    }, 5000);
    socket.on('data', (c: Buffer) => {
      text += c.toString();
      if (text.includes('\n')) {
        clearTimeout(timer);
        socket.destroy();
        resolveLine(text.split('\n')[0]!);
      }
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolveLine(text.split('\n')[0] ?? '');
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // A refused peer is closed at once, which the kernel may report as a reset.
      if (err.code === 'ECONNRESET') resolveLine('');
      else reject(err);
    });
  });
}

/** A bare TWS API client on the wire, for what a library hides (no answer, a silent close). */
export interface RawTwsClient {
  socket: Socket;
  frames: string[][];
  closed: Promise<void>;
  send(fields: Array<string | number>): void;
  /** Resolves with the first frame (past or future) matching `pred`, or null after `timeoutMs`. */
  next(pred: (f: string[]) => boolean, timeoutMs?: number): Promise<string[] | null>;
}

export function rawTwsClient(port: number, options: { localAddress?: string; handshake?: boolean } = {}): RawTwsClient {
  const socket = connect({ host: '127.0.0.1', port, localAddress: options.localAddress });
  const reader = new FrameReader(false);
  const frames: string[][] = [];
  const waiters = new Set<() => void>();
  socket.on('data', (chunk: Buffer) => {
    for (const e of reader.push(chunk)) if (e.kind === 'frame') frames.push(e.fields);
    for (const w of waiters) w();
  });
  socket.on('error', () => {});
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  if (options.handshake !== false) socket.once('connect', () => socket.write(encodeHandshake(100, 176)));
  return {
    socket, frames, closed,
    send: (fields) => socket.write(encodeFrame(fields)),
    next(pred, timeoutMs = 3000) {
      return new Promise((resolveFrame) => {
        let seen = 0;
        const check = () => {
          for (; seen < frames.length; seen++) {
            if (pred(frames[seen]!)) {
              done(frames[seen]!);
              return;
            }
          }
        };
        const timer = setTimeout(() => done(null), timeoutMs);
        const done = (f: string[] | null) => {
          clearTimeout(timer);
          waiters.delete(check);
          resolveFrame(f);
        };
        waiters.add(check);
        check();
      });
    },
  };
}
