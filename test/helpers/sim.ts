/**
 * Starts the simulated Client Portal Gateway (dist/scripts/sim/main.js — run `npm run build`
 * first) as a real child process in its own temp folder, with a keystore made by daemon/tls,
 * and waits until it accepts connections. Every test that needs an IBKR peer uses this.
 *
 *   const sim = await startSim(t, { conf: { authDelay: 50 }, simConfig: { sessionIdleMs: 500 } });
 *   const res = await sim.request('POST', '/v1/api/tickle');        // verified with sim.ca
 *   await sim.control('/session/login', { username: 'demo' });      // control channel
 *
 * Defaults that differ from the gateway's shipped ones, to keep tests fast: authDelay 100 ms,
 * penaltyMs 1000 ms, port chosen by the simulator (--port 0), conf lists allowing 127.0.0.1.
 * Passing `t` stops the simulator when the test ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { packageRoot } from '../../daemon/package-root.js';
import { generateLocalTls, type LocalTls } from '../../daemon/tls/generate.js';
import { portAccepts } from '../../testkit/ports.js';
import { waitFor } from '../../testkit/wait-for.js';
import type { Teardown } from './temp-dir.js';

export const SIM_MAIN = join(packageRoot, 'dist/scripts/sim/main.js');
export const SHIPPED_CONF = join(packageRoot, 'scripts/sim/assets/conf.yaml');

export type KeystoreKind = 'pkcs12' | 'wrong-password' | 'pem' | 'jks' | 'missing';

export interface StartSimOptions {
  /** conf.yaml keys merged over the shipped file; a key set to undefined is removed. */
  conf?: Record<string, unknown>;
  /** Raw conf.yaml text instead (sslCert/sslPwd are not filled in then). */
  confText?: string;
  /** Merged over the helper's sim-config ({ penaltyMs: 1000, control: {...} }). */
  simConfig?: Record<string, unknown>;
  /** No control channel at all (and no sim-config file unless simConfig is given). */
  noControl?: boolean;
  keystore?: KeystoreKind;
  /** Gateway port; 0 (default) lets the simulator choose and report it through the info file. */
  port?: number;
  nossl?: boolean;
  extraArgs?: string[];
  /** listen (default): until it accepts connections; banner: until it printed its banner; none. */
  waitFor?: 'listen' | 'banner' | 'none';
  timeoutMs?: number;
}

export interface SimResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  json(): any;
}

export interface Sim {
  dir: string;
  port: number;
  baseUrl: string;
  ca: string;
  pid: number;
  child: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Control channel: POST with a body, GET without. Resolves to the parsed JSON answer. */
  control(path: string, body?: unknown): Promise<any>;
  controlRaw(method: string, path: string, body?: unknown, token?: string): Promise<SimResponse>;
  /** A request to the gateway port, verified against `ca`. */
  request(method: string, path: string, options?: { body?: string; headers?: Record<string, string>; timeoutMs?: number }): Promise<SimResponse>;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let tlsCache: Promise<LocalTls> | null = null;

/** One CA + keystore per test process: RSA key generation is the slow part. */
export function sharedTls(): Promise<LocalTls> {
  tlsCache ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ibgw-sim-tls-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return generateLocalTls({ dir, hosts: [], validityDays: 30, password: 'sim-' + randomBytes(6).toString('hex') });
  })();
  return tlsCache;
}

export function renderConf(overrides: Record<string, unknown>): string {
  const conf = parse(readFileSync(SHIPPED_CONF, 'utf8')) as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete conf[key];
    else conf[key] = value;
  }
  // The shipped file is indented by 4 spaces throughout; keep that quirk in what we write.
  return stringify(conf, { indent: 4 }).split('\n').map((l) => (l ? '    ' + l : l)).join('\n');
}

async function prepareKeystore(dir: string, kind: KeystoreKind): Promise<{ sslCert: string; sslPwd: string; ca: string }> {
  const tls = await sharedTls();
  const base = { sslPwd: tls.password, ca: tls.caPem };
  switch (kind) {
    case 'pkcs12':
      copyFileSync(tls.keystorePath, join(dir, 'keystore.p12'));
      return { ...base, sslCert: 'keystore.p12' };
    case 'wrong-password':
      copyFileSync(tls.keystorePath, join(dir, 'keystore.p12'));
      return { ...base, sslCert: 'keystore.p12', sslPwd: 'not-the-password' };
    case 'pem':
      writeFileSync(join(dir, 'server.pem'), tls.certPem);
      return { ...base, sslCert: 'server.pem' };
    case 'jks':
      // A JKS header (magic FEEDFEED, version 2) with nothing valid behind it.
      writeFileSync(join(dir, 'vertx.jks'), Buffer.concat([Buffer.from('feedfeed00000002', 'hex'), randomBytes(64)]));
      return { ...base, sslCert: 'vertx.jks' };
    case 'missing':
      return { ...base, sslCert: 'no-such-keystore.p12' };
  }
}

export function rawRequest(
  url: string,
  method: string,
  options: { body?: string; headers?: Record<string, string>; timeoutMs?: number; ca?: string; agent?: Agent } = {},
): Promise<SimResponse> {
  return new Promise((resolveRes, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, { method, headers: options.headers, ca: options.ca, agent: options.agent, timeout: options.timeoutMs ?? 5000 } as never, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolveRes({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`request timed out: ${method} ${url}`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(options.body);
  });
}

export async function startSim(t: Teardown | null, options: StartSimOptions = {}): Promise<Sim> {
  const dir = mkdtempSync(join(tmpdir(), 'ibgw-sim-'));
  const { sslCert, sslPwd, ca } = await prepareKeystore(dir, options.keystore ?? 'pkcs12');
  writeFileSync(
    join(dir, 'conf.yaml'),
    options.confText ?? renderConf({ sslCert, sslPwd, authDelay: 100, ...options.conf }),
  );
  const token = randomBytes(18).toString('hex');
  const infoFile = join(dir, 'sim-control.json');
  const args = [SIM_MAIN, 'conf.yaml', '--port', String(options.port ?? 0)];
  if (!options.noControl || options.simConfig) {
    const simConfig = {
      penaltyMs: 1000,
      ...(options.noControl ? {} : { control: { port: 0, token, infoFile } }),
      ...options.simConfig,
    };
    writeFileSync(join(dir, 'sim-config.json'), JSON.stringify(simConfig));
    args.push('--sim-config', 'sim-config.json');
  }
  if (options.nossl) args.push('--nossl');
  args.push(...(options.extraArgs ?? []));

  // NODE_OPTIONS emptied: tap's process-info hook would load into the simulator too, slowing its start.
  const child = spawn(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, IBGW_SIM_CONFIG: '', NODE_OPTIONS: '' } });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  let alive = true;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => {
      alive = false;
      r({ code, signal });
    }),
  );
  const agent = new Agent({ ca, keepAlive: false });
  const readInfo = (): { port: number; token: string; pid: number; gatewayPort?: number } | undefined => {
    try {
      return existsSync(infoFile) ? JSON.parse(readFileSync(infoFile, 'utf8')) : undefined;
    } catch {
      return undefined;
    }
  };
  const stop = async () => {
    if (alive) child.kill('SIGTERM');
    const result = await exited;
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
    return result;
  };
  t?.teardown(stop);

  // Generous: a loaded 2-core CI box can take seconds to start a dozen Node processes.
  const timeoutMs = options.timeoutMs ?? 20_000;
  const notDead = () => {
    if (!alive) throw new Error(`simulator exited early:\n${output}`);
  };
  let port = options.port ?? 0;
  const waitMode = options.waitFor ?? 'listen';
  if (waitMode === 'listen') {
    if (port === 0) {
      if (options.noControl) throw new Error('port 0 needs the control channel (its info file reports the port)');
      port = await waitFor(() => (notDead(), readInfo()?.gatewayPort), timeoutMs, 'the simulator to listen');
    } else await waitFor(() => (notDead(), portAccepts(port)), timeoutMs, `port ${port} to accept`);
  } else if (waitMode === 'banner') {
    await waitFor(() => (notDead(), output.includes(' to login\n')), timeoutMs, 'the banner');
  }
  if (!options.noControl && waitMode !== 'none') await waitFor(() => (notDead(), readInfo()), timeoutMs, 'the control info file');

  const controlRaw = async (method: string, path: string, body?: unknown, useToken = token) => {
    const info = readInfo();
    if (!info) throw new Error('no control channel');
    return rawRequest(`http://127.0.0.1:${info.port}${path}`, method, {
      headers: { authorization: `Bearer ${useToken}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  };
  const plain = options.nossl || options.conf?.listenSsl === false;
  const scheme = plain ? 'http' : 'https';
  return {
    dir,
    port,
    baseUrl: `${scheme}://127.0.0.1:${port}`,
    ca,
    pid: child.pid!,
    child,
    output: () => output,
    exited,
    controlRaw,
    async control(path, body) {
      const res = await controlRaw(body === undefined ? 'GET' : 'POST', path, body);
      if (res.status !== 200) throw new Error(`control ${path} answered ${res.status}: ${res.body}`);
      return res.json();
    },
    request: (method, path, opts = {}) =>
      rawRequest(`${scheme}://127.0.0.1:${port}${path}`, method, { ...opts, ...(plain ? {} : { ca, agent }) }),
    stop,
  };
}
