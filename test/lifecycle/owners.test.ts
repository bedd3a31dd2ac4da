import t from 'tap';
import { loadConfig } from '../../daemon/config/load.js';
import { CONFIG_OWNERS, ownerOf, routeChange } from '../../daemon/config/owners.js';

/** Every leaf of the shipped config, as the watcher would name it when it changes. */
function leaves(value: unknown = loadConfig({ env: {} }).config, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, v]) => leaves(v, prefix ? `${prefix}.${key}` : key));
}

t.test('every config key has exactly one owner in the table', async (t) => {
  const paths = leaves();
  t.ok(paths.length > 50, `${paths.length} leaves`);
  const unowned = paths.filter((p) => ownerOf(p) === null);
  t.same(unowned, [], 'no key without an owner');
  const keys = CONFIG_OWNERS.map((o) => o.key);
  t.equal(new Set(keys).size, keys.length, 'no key listed twice');
});

t.test('the longest key wins and effects add up', async (t) => {
  t.match(ownerOf('gateway.logs.maxFiles'), { owner: 'supervisor', effect: 'daemon-restart' });
  t.match(ownerOf('gateway.restart.backoff.initialMs'), { owner: 'supervisor', effect: 'live' });
  t.match(ownerOf('gateway.simulator.users'), { owner: 'gateway', effect: 'gateway-restart' });
  t.match(ownerOf('session.resets.weekly.day'), { owner: 'calendar', effect: 'live' });
  t.match(ownerOf('session.competing'), { owner: 'session', effect: 'rebuild' });
  const routed = routeChange(['gateway.stopGraceMs', 'conf.keepVersions', 'store.maxEvents']);
  t.equal(routed.effect, 'daemon-restart');
  t.same(routed.pending, ['store.maxEvents']);
  t.same([...routed.byOwner], [['supervisor', ['gateway.stopGraceMs']], ['gateway', ['conf.keepVersions']]]);
  t.equal(routeChange(['gateway.resources.memoryLimitMb']).effect, 'live');
});
