import t from 'tap';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../../daemon/config/load.js';
import type { ConfigChange } from '../../daemon/config/diff.js';
import type { ServiceEvent } from '../../daemon/events.js';
import { ServiceRegistry } from '../../daemon/lifecycle/registry.js';
import type { ConfigUpdate, Service } from '../../daemon/lifecycle/service.js';
import { ERR_CONFIG_INVALID } from '../../daemon/errors.js';

/** A service that writes what happens to it into a shared journal. */
function fake(journal: string[], name: string, dependsOn: string[] = [], behaviour: { failStart?: Error; failStop?: Error; hangStop?: boolean } = {}): Service & { updates: ConfigUpdate[] } {
  const updates: ConfigUpdate[] = [];
  return {
    name, dependsOn, updates,
    async start() { journal.push(`start ${name}`); if (behaviour.failStart) throw behaviour.failStart; },
    async stop(reason: string) {
      journal.push(`stop ${name} (${reason})`);
      if (behaviour.hangStop) await new Promise(() => {});
      if (behaviour.failStop) throw behaviour.failStop;
    },
    stopTimeoutMs: behaviour.hangStop ? () => 50 : undefined,
    async reconfigure(update: ConfigUpdate) { updates.push(update); journal.push(`reconfigure ${name}: ${update.paths.join(',')}`); },
  };
}

t.test('starts in dependency order (list order breaks ties) and stops in reverse', async (t) => {
  const journal: string[] = [];
  const registry = new ServiceRegistry([
    fake(journal, 'api', ['session', 'store']), fake(journal, 'store'), fake(journal, 'session', ['store']), fake(journal, 'other'),
  ], { onEvent: () => {}, defaultStopTimeoutMs: 1000 });
  t.same(registry.names, ['store', 'session', 'api', 'other']);
  await registry.startAll();
  const reports = await registry.stopAll('test');
  t.same(journal, ['start store', 'start session', 'start api', 'start other', 'stop other (test)', 'stop api (test)', 'stop session (test)', 'stop store (test)']);
  t.ok(reports.every((r) => r.ok));
  t.same(await registry.stopAll('again'), [], 'a second stop has nothing left to stop');
});

t.test('an inconsistent list is refused with the names involved', async (t) => {
  t.throws(() => new ServiceRegistry([fake([], 'a', ['b'])], { onEvent: () => {}, defaultStopTimeoutMs: 1 }), { code: 'IBGW_SERVICE_GRAPH', message: /"a" depends on "b"/ });
  t.throws(() => new ServiceRegistry([fake([], 'a', ['b']), fake([], 'b', ['a'])], { onEvent: () => {}, defaultStopTimeoutMs: 1 }), { code: 'IBGW_SERVICE_GRAPH', message: /cycle: a → b → a/ });
  t.throws(() => new ServiceRegistry([fake([], 'a'), fake([], 'a')], { onEvent: () => {}, defaultStopTimeoutMs: 1 }), { code: 'IBGW_SERVICE_GRAPH' });
});

t.test('a failed start stops what was started, names the service, and keeps a catalog code', async (t) => {
  const journal: string[] = [];
  const registry = new ServiceRegistry([
    fake(journal, 'store'), fake(journal, 'api', ['store'], { failStart: new Error('listen EADDRINUSE 127.0.0.1:5050') }), fake(journal, 'late', ['api']),
  ], { onEvent: () => {}, defaultStopTimeoutMs: 1000 });
  await t.rejects(registry.startAll(), { code: 'IBGW_SERVICE_START', message: 'service api failed to start: listen EADDRINUSE 127.0.0.1:5050' });
  t.same(journal, ['start store', 'start api', 'stop api (service api failed to start)', 'stop store (service api failed to start)'], 'the failed one stops too (it may hold part of its start); the later one never started');

  const config = new ServiceRegistry([fake([], 'x', [], { failStart: ERR_CONFIG_INVALID('f.yaml', 'a.b', 'bad') })], { onEvent: () => {}, defaultStopTimeoutMs: 1 });
  await t.rejects(config.startAll(), { code: 'IBGW_CONFIG_INVALID', message: /service x failed to start: f\.yaml: a\.b: bad/ }, 'a config error stays a config error (exit 78)');
});

t.test('a failing or hanging stop is recorded and the others still stop', async (t) => {
  const journal: string[] = [];
  const events: ServiceEvent[] = [];
  const registry = new ServiceRegistry([
    fake(journal, 'first'), fake(journal, 'hangs', [], { hangStop: true }), fake(journal, 'fails', [], { failStop: new Error('boom') }),
  ], { onEvent: (e) => events.push(e), defaultStopTimeoutMs: 1000 });
  await registry.startAll();
  const reports = await registry.stopAll('shutdown');
  t.same(reports.map((r) => [r.name, r.ok]), [['fails', false], ['hangs', false], ['first', true]]);
  t.match(reports[1].error, /did not stop within 50 ms/);
  t.same(events.map((e) => [e.type, e.data?.service]), [['daemon.stop-failed', 'fails'], ['daemon.stop-failed', 'hangs']]);
  t.ok(journal.includes('stop first (shutdown)'));
});

t.test('a config change reaches the owner of each key; daemon-restart keys become a pending event', async (t) => {
  const journal: string[] = [];
  const events: ServiceEvent[] = [];
  const services = ['daemon', 'store', 'gateway', 'supervisor', 'calendar', 'session', 'api'].map((n) => fake(journal, n));
  const registry = new ServiceRegistry(services, { onEvent: (e) => events.push(e), defaultStopTimeoutMs: 1000 });
  await registry.startAll();
  journal.length = 0;
  const next = loadConfig({ env: {} }).config;
  const change: ConfigChange = { paths: ['gateway.stopGraceMs', 'gateway.port', 'session.tickleIntervalMs', 'session.resets.daily', 'api.port', 'logging.level', 'tls.hosts'], effect: 'daemon-restart' };
  await registry.reconfigure(next, change);
  t.same(journal, [
    'reconfigure daemon: logging.level',
    'reconfigure gateway: gateway.port,tls.hosts',
    'reconfigure supervisor: gateway.stopGraceMs',
    'reconfigure calendar: session.resets.daily',
    'reconfigure session: session.tickleIntervalMs',
  ]);
  t.equal(services[2].updates[0].next, next);
  t.match(events, [{ type: 'config.pending', data: { paths: ['api.port'] } }]);
});

t.test('a failing reconfigure is an event and the other owners still apply theirs', async (t) => {
  const events: ServiceEvent[] = [];
  const journal: string[] = [];
  const broken: Service = { name: 'gateway', dependsOn: [], start: async () => {}, stop: async () => {}, reconfigure: async () => { throw new Error('keystore unreadable'); } };
  const registry = new ServiceRegistry([broken, fake(journal, 'session')], { onEvent: (e) => events.push(e), defaultStopTimeoutMs: 1000 });
  await registry.startAll();
  await registry.reconfigure(loadConfig({ env: {} }).config, { paths: ['tls.hosts', 'session.enabled'], effect: 'gateway-restart' });
  t.match(events, [{ type: 'config.apply-failed', level: 'error', message: /gateway could not apply tls\.hosts: keystore unreadable/ }]);
  t.same(journal.slice(-1), ['reconfigure session: session.enabled']);
  t.ok(DEFAULT_CONFIG_PATH);
});
