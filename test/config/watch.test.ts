import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { ConfigChange } from '../../daemon/config/diff.js';
import { loadConfig } from '../../daemon/config/load.js';
import type { Config } from '../../daemon/config/types.js';
import { ConfigWatcher } from '../../daemon/config/watch.js';
import type { ServiceEvent } from '../../daemon/events.js';
import { waitFor } from '../../testkit/wait-for.js';
import { tempDir } from '../helpers/temp-dir.js';

t.test('valid edits apply, invalid edits keep the last good config and show in status', async (t) => {
  const d = tempDir(t, 'ibgw-watch-');
  const file = join(d, 'ibgw.yaml');
  writeFileSync(file, 'logging:\n  level: info\n');
  const initial = loadConfig({ file, env: {}, cwd: d }).config;
  const changes: Array<{ next: Config; change: ConfigChange }> = [];
  const events: ServiceEvent[] = [];
  const watcher = new ConfigWatcher({
    file, env: {}, cwd: d, initial, stabilityMs: 50,
    onChange: (next, change) => { changes.push({ next, change }); },
    onEvent: (e) => events.push(e),
  });
  await watcher.start();
  t.teardown(() => watcher.close());

  writeFileSync(file, 'logging:\n  level: debug\n');
  await waitFor(() => changes.length === 1, 5000, 'valid edit applied');
  t.equal(watcher.current.logging.level, 'debug');
  t.same(changes[0].change, { paths: ['logging.level'], effect: 'live' });

  writeFileSync(file, 'logging:\n  level: loud\n');
  await waitFor(() => events.some((e) => e.type === 'config.invalid'), 5000, 'invalid edit reported');
  t.equal(watcher.current.logging.level, 'debug', 'last good config kept');
  t.equal(watcher.status().error?.key, 'logging.level', 'status names the key');
  t.equal(changes.length, 1, 'no change applied');

  writeFileSync(file, 'logging:\n  level: debug\ngateway:\n  port: 5123\n');
  await waitFor(() => changes.length === 2, 5000, 'next valid edit applied');
  t.equal(watcher.status().error, null, 'error cleared');
  t.same(changes[1].change, { paths: ['gateway.port'], effect: 'gateway-restart' });
});
