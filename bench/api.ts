/**
 * The API for local apps, each figure beside its peer in the same run:
 * - GET /api/v1/status under load (autocannon) beside a bare Fastify route answering the same
 *   JSON, same node flags, taking turns;
 * - a pass-through call minus the same call made directly to the simulated gateway;
 * - a cached answer beside an upstream call, through the daemon;
 * - keep-alive TLS to the gateway beside a new connection per call (why the agent keeps them);
 * - the daemon's RSS idle, after the first /metrics scrape and after /api/docs was opened.
 *
 * The daemon runs as `npm start` runs it, supervising the simulator with IBKR's rate limits off
 * (gateway.command names the simulator with a sim-config of our own) and the pacer opened up:
 * what is measured is the daemon's own overhead, not IBKR's pacing.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { DAEMON_NODE_FLAGS } from '../daemon/node-flags.js';
import { packageRoot } from '../daemon/package-root.js';
import { freePort } from '../testkit/ports.js';
import { waitFor } from '../testkit/wait-for.js';
import { median } from './measure.js';

export type ApiBench = Record<string, number>;

const ROUNDS = 150;
const LOAD_SECONDS = 3;
/** Load rounds, bare and ours taking turns: the machine's other work falls on both alike. */
const LOAD_ROUNDS = 3;
const ACCOUNT = 'DU1234567';
const DEFAULT_LIMITED = ['/tickle', '/sso/validate', '/portfolio/accounts', '/portfolio/subaccounts', '/iserver/account/orders', '/iserver/account/trades', '/iserver/account/pnl/partitioned', '/iserver/marketdata/snapshot', '/iserver/scanner/run', '/iserver/scanner/params', '/pa/*', '/fyi/*'];

const nodeFlags = (): string[] => [...DAEMON_NODE_FLAGS];
const rssMb = (pid: number): number => Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)]).toString().trim()) / 1024;
const quantile = (values: number[], q: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))]!;

function get(url: string, agent: HttpAgent | HttpsAgent, ca?: string): Promise<{ status: number; ms: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(url, { agent, ...(ca ? { ca } : {}), headers: { authorization: `Bearer ${process.env.BENCH_TOKEN ?? ''}` } } as never, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

interface Daemon {
  child: ChildProcess;
  api: string;
  gateway: string;
  ca: string;
  token: string;
  control(path: string, body?: unknown): Promise<any>;
  stop(): Promise<void>;
}

async function startDaemon(dir: string): Promise<Daemon> {
  const [apiPort, gatewayPort] = [await freePort(), await freePort()];
  const controlToken = randomBytes(12).toString('hex');
  const simConfig = join(dir, 'bench-sim.json');
  writeFileSync(simConfig, JSON.stringify({
    penaltyMs: 1000,
    rateLimits: { globalPerSec: 0, perEndpoint: Object.fromEntries(DEFAULT_LIMITED.map((p) => [p, null])) },
    control: { port: 0, token: controlToken, infoFile: join(dir, 'bench-control.json') },
  }));
  writeFileSync(join(dir, 'ibgw.yaml'), stringify({
    dataDir: 'data',
    api: { port: apiPort, passThrough: { pacing: { globalPerSec: 100_000 }, queue: { maxWaitMs: 60_000 } } },
    gateway: { port: gatewayPort, command: [process.execPath, join(packageRoot, 'dist/scripts/sim/main.js'), 'root/conf.yaml', '--sim-config', simConfig] },
    // No IBKR reset windows: inside the shipped ones (23:45 New York, 90 min) the session is held
    // out and the bench could not run at that hour.
    session: { resets: { daily: null, weekly: null } },
    logging: { level: 'warn' },
  }));
  const child = spawn(process.execPath, [...nodeFlags(), join(packageRoot, 'dist/daemon/cli.js'), 'daemon', '--config', join(dir, 'ibgw.yaml')], { cwd: dir, stdio: 'ignore', env: { ...process.env, NODE_OPTIONS: '' } });
  const api = `http://127.0.0.1:${apiPort}`;
  await waitFor(async () => (await fetch(`${api}/api/v1/status`).catch(() => null))?.ok, 60_000, 'the daemon API', 100);
  await waitFor(async () => ((await (await fetch(`${api}/api/v1/status`)).json()) as { gateway: { state: string } }).gateway.state === 'running', 60_000, 'the gateway', 100);
  const control = async (path: string, body?: unknown) => {
    const info = JSON.parse(readFileSync(join(dir, 'bench-control.json'), 'utf8')) as { port: number };
    const res = await fetch(`http://127.0.0.1:${info.port}${path}`, { method: body === undefined ? 'GET' : 'POST', headers: { authorization: `Bearer ${controlToken}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return res.json();
  };
  const token = readFileSync(join(dir, 'data', 'admin-token'), 'utf8').trim();
  return {
    child, api, gateway: `https://127.0.0.1:${gatewayPort}`, ca: readFileSync(join(dir, 'data', 'tls', 'ca.pem'), 'utf8'), token, control,
    stop: async () => { child.kill('SIGTERM'); await new Promise((r) => child.once('exit', r)); },
  };
}

async function load(url: string, headers: Record<string, string> = {}): Promise<{ rps: number; p99: number; errors: number }> {
  // Not a literal specifier: autocannon ships no types, and the bench only needs three numbers.
  const specifier = 'autocannon';
  const { default: autocannon } = (await import(specifier)) as { default: (o: object) => Promise<any> };
  const r = await autocannon({ url, connections: 10, duration: LOAD_SECONDS, headers });
  return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

async function statusBeside(d: Daemon, dir: string, out: ApiBench): Promise<void> {
  const port = await freePort();
  const sample = join(dir, 'status-sample.json');
  writeFileSync(sample, await (await fetch(`${d.api}/api/v1/status`)).text());
  const bare = fork(join(packageRoot, 'bench/fixtures/bare-fastify.mjs'), [String(port), sample], { execArgv: nodeFlags(), stdio: 'ignore', env: { ...process.env, NODE_OPTIONS: '' } });
  try {
    await new Promise((resolve) => bare.once('message', resolve));
    const [bareUrl, oursUrl] = [`http://127.0.0.1:${port}/status`, `${d.api}/api/v1/status`];
    await load(bareUrl); // warm-up: JIT, sockets
    await load(oursUrl);
    const peer: Array<{ rps: number; p99: number }> = [];
    const ours: Array<{ rps: number; p99: number; errors: number }> = [];
    for (let i = 0; i < LOAD_ROUNDS; i++) {
      peer.push(await load(bareUrl));
      ours.push(await load(oursUrl));
    }
    Object.assign(out, {
      bareRps: median(peer.map((r) => r.rps)), bareP99Ms: median(peer.map((r) => r.p99)),
      statusRps: median(ours.map((r) => r.rps)), statusP99Ms: median(ours.map((r) => r.p99)),
      statusErrors: ours.reduce((n, r) => n + r.errors, 0),
      statusRatioMedian: median(ours.map((r, i) => r.rps / peer[i]!.rps)),
    });
  } finally {
    bare.kill('SIGTERM');
    rmSync(sample, { force: true });
  }
}

async function passThroughBeside(d: Daemon, out: ApiBench): Promise<void> {
  const direct = new HttpsAgent({ ca: d.ca, keepAlive: true, maxSockets: 1 });
  const viaDaemon = new HttpAgent({ keepAlive: true, maxSockets: 1 });
  const fresh = new HttpsAgent({ ca: d.ca, keepAlive: false });
  const [directMs, daemonMs, freshMs, upstreamMs, missTotalMs] = [[], [], [], [], []] as number[][];
  const timing = (headers: Record<string, unknown>, name: string) => Number(new RegExp(`${name};dur=([\\d.]+)`).exec(String(headers['server-timing']))?.[1] ?? NaN);
  process.env.BENCH_TOKEN = d.token;
  for (let i = 0; i < ROUNDS + 20; i++) {
    // A new query each time: the daemon's cache misses and the call goes to the gateway.
    const path = `/portfolio/${ACCOUNT}/positions/0?round=${i}`;
    const a = await get(`${d.gateway}/v1/api${path}`, direct);
    const b = await get(`${d.api}/api/v1/ibkr${path}`, viaDaemon);
    const c = i % 3 === 0 ? await get(`${d.gateway}/v1/api${path}`, fresh) : null;
    if (a.status !== 200 || b.status !== 200) throw new Error(`pass-through bench: ${a.status} direct, ${b.status} via the daemon`);
    if (i < 20) continue;
    directMs.push(a.ms);
    daemonMs.push(b.ms);
    if (c) freshMs.push(c.ms);
    upstreamMs.push(timing(b.headers, 'upstream'));
    missTotalMs.push(timing(b.headers, 'total'));
  }
  const [cacheMs, hitTotalMs] = [[], []] as number[][];
  const cachedPath = `${d.api}/api/v1/ibkr/portfolio/${ACCOUNT}/positions/0?round=cached`;
  await get(cachedPath, viaDaemon);
  for (let i = 0; i < ROUNDS; i++) {
    const r = await get(cachedPath, viaDaemon);
    if (r.headers['x-ibgw-cache'] !== 'hit') throw new Error('cache bench: not a hit');
    cacheMs.push(r.ms);
    hitTotalMs.push(timing(r.headers, 'total'));
  }
  direct.destroy(); viaDaemon.destroy(); fresh.destroy();
  Object.assign(out, {
    directP50Ms: median(directMs), daemonP50Ms: median(daemonMs), addedP50Ms: median(daemonMs) - median(directMs),
    directP95Ms: quantile(directMs, 0.95), daemonP95Ms: quantile(daemonMs, 0.95),
    daemonUpstreamP50Ms: median(upstreamMs), daemonMissTotalP50Ms: median(missTotalMs), freshTlsP50Ms: median(freshMs),
    cacheHitP50Ms: median(cacheMs), upstreamCallP50Ms: median(daemonMs), daemonHitTotalP50Ms: median(hitTotalMs),
  });
}

async function footprint(d: Daemon, out: ApiBench): Promise<void> {
  const sample = async () => {
    const values: number[] = [];
    for (let i = 0; i < 5; i++) { await new Promise((r) => setTimeout(r, 1000)); values.push(rssMb(d.child.pid!)); }
    return median(values);
  };
  out.rssIdleMb = await sample();
  await fetch(`${d.api}/metrics`, { headers: { authorization: `Bearer ${d.token}` } }).then((r) => r.text());
  out.rssAfterMetricsMb = await sample();
  for (const path of ['/api/docs', '/api/docs/static/swagger-ui-bundle.js', '/api/docs/static/swagger-ui.css', '/api/docs/json']) await fetch(d.api + path).then((r) => r.arrayBuffer());
  out.rssAfterDocsMb = await sample();
}

export async function benchApi(): Promise<ApiBench> {
  const dir = mkdtempSync(join(tmpdir(), 'ibgw-bench-api-'));
  const d = await startDaemon(dir);
  const out: ApiBench = {};
  try {
    // Footprint first: before the load below grows the heap.
    await d.control('/session/login', { username: 'demo' });
    await waitFor(async () => ((await (await fetch(`${d.api}/api/v1/connection`, { headers: { authorization: `Bearer ${d.token}` } })).json()) as { success: boolean }).success, 30_000, 'the session', 200);
    await footprint(d, out);
    await passThroughBeside(d, out);
    await statusBeside(d, dir, out);
  } finally {
    await d.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
