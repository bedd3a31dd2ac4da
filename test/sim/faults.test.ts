/**
 * Every control-channel fault, switched on and back off against a live process: the
 * supervisor-facing failures must look like the real gateway's (unanswered requests on open
 * sockets, 5xx during maintenance, a growing RSS, an exit code).
 */
import { readFileSync, statSync } from 'node:fs';
import { connect } from 'node:tls';
import t from 'tap';
import { startSim, type Sim } from '../helpers/sim.js';
import { waitFor } from '../../testkit/wait-for.js';

const simConfig = { rateLimits: { globalPerSec: 0, perEndpoint: { '/tickle': null } } };

const rssMb = (pid: number): number => {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]!;
  return Number(kb) / 1024;
};

// One process for every reversible fault: each test switches its fault on and back off, which
// is itself the point (the next test would fail if a fault lingered).
let shared: Sim;
t.before(async () => {
  shared = await startSim(null, { simConfig });
});
t.teardown(() => shared.stop());

t.test('the control channel wants the bearer token and writes its info file 0600', async (t) => {
  const sim = shared;
  t.equal((await sim.controlRaw('GET', '/state', undefined, '')).status, 401);
  t.equal((await sim.controlRaw('GET', '/state', undefined, 'wrong')).status, 401);
  t.equal((await sim.controlRaw('GET', '/state')).status, 200);
  t.equal((await sim.controlRaw('POST', '/nope', {})).status, 404);
  const info = JSON.parse(readFileSync(`${sim.dir}/sim-control.json`, 'utf8'));
  t.match(info, { port: Number, token: String, pid: sim.pid, gatewayPort: sim.port });
  t.equal(statSync(`${sim.dir}/sim-control.json`).mode & 0o777, 0o600);
});

t.test('hang: TLS connections are accepted, nothing is answered; off answers again', async (t) => {
  const sim = shared;
  await sim.control('/fault/hang', { on: true });
  const handshake = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: sim.port, ca: sim.ca }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
  t.ok(handshake, 'the TLS handshake still completes');
  await t.rejects(sim.request('GET', '/', { timeoutMs: 300 }), { code: 'ETIMEDOUT' }, 'the login page hangs too');
  await t.rejects(sim.request('POST', '/v1/api/tickle', { timeoutMs: 300 }), { code: 'ETIMEDOUT' });
  await sim.control('/fault/hang', { on: false });
  t.equal((await sim.request('GET', '/')).status, 302);
});

t.test('unreachable: API calls never answered on an open socket, the login page still served', async (t) => {
  const sim = shared;
  await sim.control('/session/login', {});
  await sim.control('/fault/unreachable', { on: true });
  await t.rejects(sim.request('POST', '/v1/api/tickle', { timeoutMs: 400 }), { code: 'ETIMEDOUT' }, 'a timeout, not a reset');
  await t.rejects(sim.request('GET', '/v1/portal/iserver/accounts', { timeoutMs: 300 }), { code: 'ETIMEDOUT' });
  t.equal((await sim.request('GET', '/')).status, 302);
  await sim.control('/fault/unreachable', { on: false });
  t.equal((await sim.request('POST', '/v1/api/tickle')).status, 200);
  await sim.control('/session/expire', {});
});

t.test('maintenance: API calls answer 503 (or the given 5xx)', async (t) => {
  const sim = shared;
  await sim.control('/fault/maintenance', { on: true });
  t.equal((await sim.request('POST', '/v1/api/tickle')).status, 503);
  await sim.control('/fault/maintenance', { on: true, status: 502 });
  t.equal((await sim.request('POST', '/v1/api/iserver/auth/status')).status, 502);
  await sim.control('/fault/maintenance', { on: false });
  t.equal((await sim.request('POST', '/v1/api/tickle')).status, 401);
});

t.test('slow: every answer is delayed by ms', async (t) => {
  const sim = shared;
  await sim.control('/fault/slow', { ms: 1000 });
  const started = Date.now();
  t.equal((await sim.request('GET', '/')).status, 302);
  t.ok(Date.now() - started >= 990, `took ${Date.now() - started} ms`);
  await sim.control('/fault/slow', { ms: 0 });
  const again = Date.now();
  await sim.request('GET', '/');
  t.ok(Date.now() - again < 900, `then ${Date.now() - again} ms`);
});

t.test('memory: RSS grows by mb and falls back with mb 0', async (t) => {
  const sim = shared;
  const before = rssMb(sim.pid);
  const grown = await sim.control('/fault/memory', { mb: 96 });
  t.equal(grown.memoryMb, 96);
  t.ok(rssMb(sim.pid) - before >= 80, `RSS ${before.toFixed(0)} → ${rssMb(sim.pid).toFixed(0)} MB`);
  await sim.control('/fault/memory', { mb: 0 });
  await waitFor(() => rssMb(sim.pid) - before < 40, 5000, 'RSS to fall back');
  t.equal((await sim.control('/state')).faults.memoryMb, 0);
});

t.test('reset clears every fault; state reports counters per path', async (t) => {
  const sim = await startSim(t, { simConfig });
  await sim.request('GET', '/');
  await sim.request('POST', '/v1/api/tickle');
  await sim.request('POST', '/v1/api/tickle');
  await sim.control('/fault/slow', { ms: 50 });
  await sim.control('/fault/maintenance', { on: true });
  await sim.control('/fault/unreachable', { on: true });
  await sim.control('/fault/hang', { on: true });
  await sim.control('/fault/memory', { mb: 8 });
  const state = await sim.control('/reset', {});
  t.same(state.faults, { hang: false, slowMs: 0, unreachable: false, maintenance: { on: false, status: 503 }, memoryMb: 0 });
  t.same(state.counters, { '/': 1, '/v1/api/tickle': 2 });
  t.equal((await sim.request('GET', '/')).status, 302);
});

t.test('crash: exits with the given code', async (t) => {
  const sim = await startSim(t, { simConfig });
  const answer = await sim.control('/fault/crash', { code: 3 });
  t.match(answer, { crashing: true, code: 3 });
  const { code } = await sim.exited;
  t.equal(code, 3);
});
