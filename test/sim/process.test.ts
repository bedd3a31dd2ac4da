/**
 * The simulator as a process: how it starts, fails to start, logs and stops — the things a
 * supervisor meets before it ever sends a request. Every case runs the compiled binary.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { connect } from 'node:tls';
import t from 'tap';
import { rawRequest, renderConf, sharedTls, startSim, type KeystoreKind } from '../helpers/sim.js';
import { freePort, portAccepts } from '../../testkit/ports.js';
import { waitFor } from '../../testkit/wait-for.js';

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

t.test('prints the banner, ending with the login line, and serves TLS 1.2 verified by the CA', async (t) => {
  const port = await freePort();
  const sim = await startSim(t, { port });
  const lines = sim.output().trimEnd().split('\n');
  t.equal(lines.at(-1), `Open https://localhost:${port} to login`);
  t.match(sim.output(), /"sslPwd":"sim-[0-9a-f]+"/, 'the conf dump on stdout carries sslPwd in clear, like the real one');
  const root = await sim.request('GET', '/');
  t.equal(root.status, 302);
  t.equal(root.headers.location, '/sso/Login?forwardTo=22&RL=1&ip2loc=US');
  const unknown = await sim.request('GET', '/v1/api/no/such/thing');
  t.equal(unknown.status, 404);
  t.equal(unknown.body, 'Unknown path /v1/api/no/such/thing');
  t.equal((await sim.request('POST', '/v1/portal/tickle')).status, 401, '/v1/portal is the same API');
});

t.test('refuses TLS 1.3 and plain HTTP on the TLS port', async (t) => {
  const sim = await startSim(t);
  const tls13 = await new Promise<string>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: sim.port, ca: sim.ca, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
    socket.once('secureConnect', () => resolve(`connected with ${socket.getProtocol()}`));
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
  t.not(tls13, 'connected with TLSv1.3');
  t.notMatch(tls13, /^connected/);
  const tls12 = await new Promise<string | null>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: sim.port, ca: sim.ca });
    socket.once('secureConnect', () => {
      resolve(socket.getProtocol());
      socket.destroy();
    });
    socket.once('error', reject);
  });
  t.equal(tls12, 'TLSv1.2');
  await t.rejects(rawRequest(`http://127.0.0.1:${sim.port}/`, 'GET', { timeoutMs: 3000 }), 'plain HTTP gets the connection closed');
});

t.test('--nossl and listenSsl:false serve plain HTTP', async (t) => {
  const nossl = await startSim(t, { nossl: true });
  t.match(nossl.output(), /Open http:\/\/localhost:0 to login\n$/);
  t.equal((await nossl.request('GET', '/')).status, 302);
  const confOff = await startSim(t, { conf: { listenSsl: false } });
  t.match(confOff.output(), /Open http:\/\/localhost:0 to login\n$/);
  t.equal((await confOff.request('GET', '/')).status, 302);
});

t.test('an unknown conf key exits 1 with the real message', async (t) => {
  const sim = await startSim(t, { conf: { fooBar: 1 }, noControl: true, port: await freePort(), waitFor: 'none' });
  const { code } = await sim.exited;
  t.equal(code, 1);
  t.match(sim.output(), /^Failed to load configuration file conf\.yaml\n.*Unrecognized field "fooBar"/m);
});

t.test('accepts the shipped conf layout: 4-space indent and the dotted origin.allowed key', async (t) => {
  const tls = await sharedTls();
  const text = readFileSync(join(import.meta.dirname, '../../scripts/sim/assets/conf.yaml'), 'utf8')
    .replace('"vertx.jks"', '"keystore.p12"')
    .replace('"mywebapi"', JSON.stringify(tls.password))
    .replace('authDelay: 3000', 'authDelay: 10');
  const sim = await startSim(t, { confText: text });
  const keystoreMissing = !readdirSync(sim.dir).includes('keystore.p12');
  t.notOk(keystoreMissing);
  t.equal((await sim.request('GET', '/')).status, 302, '127.0.0.1 is on the shipped allow list');
  t.ok(renderConf({}).startsWith('    ip2loc:'), 'the helper writes the same indentation');
});

t.test('keystore wrong password, PEM, JKS or missing: banner, alive, never listens, says nothing', async (t) => {
  const kinds: KeystoreKind[] = ['wrong-password', 'pem', 'jks', 'missing'];
  const ports = await Promise.all(kinds.map(() => freePort()));
  const sims = await Promise.all(kinds.map((keystore, i) => startSim(t, { keystore, port: ports[i], noControl: true, waitFor: 'banner' })));
  // Without a control channel nothing is awaited between the banner and the keystore check,
  // so once the banner is out the decision is made; check for a while that it sticks.
  const until = Date.now() + 400;
  while (Date.now() < until) {
    for (const [i, kind] of kinds.entries()) t.equal(await portAccepts(ports[i]!), false, `${kind}: nothing listens`);
    await new Promise((r) => setTimeout(r, 100));
  }
  for (const [i, kind] of kinds.entries()) {
    const sim = sims[i]!;
    t.match(sim.output(), new RegExp(`Open https://localhost:${ports[i]} to login`));
    t.ok(isAlive(sim.pid), `${kind}: the process is still alive`);
    const afterBanner = sim.output().slice(sim.output().indexOf(' to login') + ' to login'.length);
    t.equal(afterBanner.trim(), '', `${kind}: and says nothing after the banner`);
    const { signal, code } = await sim.stop();
    t.ok(signal === 'SIGTERM' || code === 143, `${kind}: stops on SIGTERM`);
  }
});

t.test('a busy port: prints the real message and stays alive', async (t) => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const sim = await startSim(t, { port, waitFor: 'banner' });
  await waitFor(() => sim.output().includes('Server listen failed Address already in use'), 5000, 'the listen failure');
  t.ok(isAlive(sim.pid));
  t.equal((await sim.control('/state')).pid, sim.pid, 'the control channel still answers');
});

t.test('logs: the start log has the conf with sslPwd, the message log one line per request', async (t) => {
  const sim = await startSim(t);
  await sim.request('GET', '/');
  await sim.request('POST', '/v1/api/tickle');
  const logs = join(sim.dir, 'logs');
  const files = await waitFor(() => {
    const names = readdirSync(logs).sort();
    return names.length === 2 && names;
  }, 3000, 'both log files');
  t.match(files, [/^gw\.\d{4}-\d{2}-\d{2}\.log$/, /^gw\.message\.\d{4}-\d{2}-\d{2}\.log$/]);
  const password = /"sslPwd":"([^"]+)"/.exec(sim.output())![1]!;
  await waitFor(() => readFileSync(join(logs, files[0]!), 'utf8').includes(password), 3000, 'the conf in the start log');
  const messages = await waitFor(() => {
    const lines = readFileSync(join(logs, files[1]!), 'utf8').trim().split('\n');
    return lines.length >= 2 && lines;
  }, 3000, 'two message lines');
  t.match(messages[0], /127\.0\.0\.1 GET \/ 302/);
  t.match(messages[1], /POST \/v1\/api\/tickle 401/);
});

t.test('one process, no children; SIGTERM ends it promptly', async (t) => {
  const sim = await startSim(t);
  let children: string;
  try {
    children = execFileSync('pgrep', ['-P', String(sim.pid)], { encoding: 'utf8' });
  } catch {
    children = ''; // pgrep exits 1 when nothing matches
  }
  t.equal(children.trim(), '');
  const started = Date.now();
  sim.child.kill('SIGTERM');
  const { code } = await sim.exited;
  t.equal(code, 143, 'exits like the JVM does on SIGTERM');
  // The sim exits on the signal without waiting; the margin is for a loaded CI box.
  t.ok(Date.now() - started < 1000, `stopped in ${Date.now() - started} ms`);
});
