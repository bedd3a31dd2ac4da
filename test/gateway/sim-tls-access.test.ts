/**
 * Against the real simulator (dist/scripts/sim/main.js, `npm run build` first), launched
 * exactly as the daemon would from gateway.launch(): the generated keystore is served and
 * verified with the exported CA; a wrong keystore password means no listener; every
 * allow/deny change behaves as the gateway does (404 `Access Denied`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import t from 'tap';
import { explainAccess } from '../../daemon/access/matcher.js';
import { createGateway, type ManagedGateway } from '../../daemon/gateway/index.js';
import { freePort, portAccepts } from '../../testkit/ports.js';
import { waitFor } from '../../testkit/wait-for.js';
import { seedTls, shippedConf, testConfig } from '../fixtures/gateway/config.js';
import { packageRoot } from '../../daemon/package-root.js';
import { tempDir } from '../helpers/temp-dir.js';

if (!existsSync(join(packageRoot, 'dist/scripts/sim/main.js'))) {
  t.fail('dist/scripts/sim/main.js is missing: run npm run build');
  process.exit(1);
}

interface Running {
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

async function run(t: { teardown(fn: () => unknown): void }, gw: ManagedGateway): Promise<Running> {
  const spec = await gw.launch();
  const child = spawn(spec.command[0], spec.command.slice(1), { cwd: spec.cwd, env: { ...process.env, NODE_OPTIONS: '', ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c));
  child.stderr!.on('data', (c: Buffer) => (out += c));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  t.teardown(stop);
  return { child, output: () => out, stop };
}

function get(port: number, opts: { ca?: string | null; localAddress?: string; path?: string } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: opts.path ?? '/v1/api/tickle', method: 'GET', ca: opts.ca ?? undefined, localAddress: opts.localAddress, agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function started(gw: ManagedGateway, port: number, t: { teardown(fn: () => unknown): void }): Promise<Running> {
  const sim = await run(t, gw);
  await waitFor(() => {
    if (sim.child.exitCode !== null) throw new Error(`simulator exited: ${sim.output()}`);
    return portAccepts(port);
  }, 10_000, 'the simulator to listen');
  return sim;
}

t.test('the generated keystore is served and verified with the exported CA', async (t) => {
  const dir = tempDir(t);
  await seedTls(dir);
  const port = await freePort();
  const gw = createGateway(testConfig(dir, { gateway: { port } }), { dataDir: dir, watch: false });
  t.teardown(() => gw.close());
  const sim = await started(gw, port, t);
  const ca = await gw.ca();
  t.equal(ca, readFileSync(gw.info().tls!.caPath!, 'utf8'));
  const res = await get(port, { ca });
  t.equal(res.status, 401, 'TLS verified, IP filter passed, no session yet');
  await t.rejects(get(port, { ca: null }), { code: /SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/ }, 'without the CA the chain is refused');
  t.notOk(gw.redactLine(sim.output()).includes(gw.tls!.passwords.values().next().value as string), 'the start log is redacted');
});

t.test('a wrong keystore password: the simulator lives on but never listens', async (t) => {
  const dir = tempDir(t);
  await seedTls(dir);
  const port = await freePort();
  const gw = createGateway(testConfig(dir, { gateway: { port } }), { dataDir: dir, watch: false });
  t.teardown(() => gw.close());
  const confPath = join(dir, 'gateway/root/conf.yaml');
  // Launch from a spec, then break the password behind the daemon's back (watch off).
  const spec = await gw.launch();
  writeFileSync(confPath, readFileSync(confPath, 'utf8').replace(/sslPwd: ".+"/, 'sslPwd: "wrong-password"'));
  const child = spawn(spec.command[0], spec.command.slice(1), { cwd: spec.cwd, stdio: 'ignore' });
  const exited = new Promise((r) => child.once('exit', r));
  t.teardown(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  const controlFile = gw.info().simControlFile!;
  const info = await waitFor(() => (existsSync(controlFile) ? JSON.parse(readFileSync(controlFile, 'utf8')) : undefined), 10_000, 'the control channel');
  // A control answer means the start-up code already ran past the keystore load.
  const state = await fetch(`http://127.0.0.1:${info.port}/state`, { headers: { authorization: `Bearer ${info.token}` } });
  t.equal(state.status, 200);
  t.equal(child.exitCode, null, 'still alive');
  t.equal(await portAccepts(port), false, 'no listener');
  t.equal(JSON.parse(readFileSync(controlFile, 'utf8')).gatewayPort, undefined);
});

t.test('allow/deny changes behave exactly as the gateway does', async (t) => {
  const dir = tempDir(t);
  await seedTls(dir);
  const port = await freePort();
  // A template without deny: the gateway would let everyone in; the guarantee adds the sentinel.
  const templatePath = join(dir, 'template.yaml');
  writeFileSync(templatePath, shippedConf().replace(/ {6}deny:\n {8}- 212\.90\.324\.10\n/, ''));
  const restarts: string[] = [];
  const gw = createGateway(testConfig(dir, { gateway: { port }, conf: { template: templatePath } }), { dataDir: dir, watch: false, requestRestart: (r) => restarts.push(r) });
  t.teardown(() => gw.close());
  const ca = await (async () => (await gw.launch(), gw.ca()))();
  const peers = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
  const check = async (label: string) => {
    const sim = await started(gw, port, t);
    const ips = (await gw.access!.list());
    const lists = { allow: ips.allow.map((e) => e.pattern), deny: ips.deny.map((e) => e.pattern) };
    for (const peer of peers) {
      const res = await get(port, { ca, localAddress: peer });
      const expected = explainAccess(peer, lists);
      if (expected.status === 404) t.same(res, { status: 404, body: 'Access Denied' }, `${label}: ${peer} refused (${expected.reason})`);
      else t.equal(res.status, 401, `${label}: ${peer} let in (${expected.reason})`);
    }
    await sim.stop();
  };
  t.same((await gw.access!.list()).deny.map((e) => e.pattern), ['0.0.0.0']);
  await check('shipped allow list');
  await gw.access!.add('allow', '127.0.0.2/32');
  await check('127.0.0.2 allowed');
  await gw.access!.add('deny', '127.0.0.2');
  await check('127.0.0.2 denied (deny first)');
  await gw.access!.remove('deny', '127.0.0.2');
  await gw.access!.add('allow', '127.0.0.0-127.0.0.255');
  await check('127.0.0.* allowed');
  t.equal(restarts.length, 4, 'each change asked for a restart');
});
