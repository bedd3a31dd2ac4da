import t from 'tap';
import { loadConfig } from '../../daemon/config/load.js';
import type { ServiceEvent } from '../../daemon/events.js';
import { DaemonContext } from '../../daemon/lifecycle/daemon-context.js';
import { silentLogger } from '../../daemon/logger.js';
import { StartupService } from '../../daemon/services/startup-service.js';
import { Store } from '../../daemon/store/store.js';
import type { Supervisor } from '../../daemon/supervisor/index.js';
import { tempDir } from '../helpers/temp-dir.js';

async function startOnce(dataDir: string, autoStart: boolean, shouldRun = true): Promise<{ events: ServiceEvent[]; starts: string[]; store: Store }> {
  const loaded = loadConfig({ env: { IBGW_DATA_DIR: dataDir } });
  loaded.config.gateway.autoStart = autoStart;
  const ctx = new DaemonContext(loaded, silentLogger);
  const events: ServiceEvent[] = [];
  ctx.bus.subscribe((e) => events.push(e));
  const store = new Store({ dataDir, maxEvents: 100 });
  await store.open();
  ctx.bus.subscribe((e) => { store.record(e); });
  const starts: string[] = [];
  const supervisor = { start: async (reason: string) => { starts.push(reason); } } as unknown as Supervisor;
  await new StartupService(ctx, { supervisor, store, gatewayShouldRun: () => shouldRun, dependsOn: [] }).start();
  return { events, starts, store };
}

t.test('the previous run: none, clean (daemon.stopped last) or unclean', async (t) => {
  const dataDir = tempDir(t, 'ibgw-startup-');
  const first = await startOnce(dataDir, true);
  t.equal(first.store.previousRun, 'none');
  t.same(first.events.map((e) => e.type), ['daemon.started']);
  t.same(first.starts, ['daemon start'], 'autoStart starts the gateway');
  // The daemon was killed: its last event is not daemon.stopped.
  await first.store.close();

  const second = await startOnce(dataDir, false);
  t.equal(second.store.previousRun, 'unclean');
  t.match(second.events, [{ type: 'daemon.unclean-start', level: 'warn' }, { type: 'daemon.started', data: { previousRun: 'unclean' } }]);
  t.same(second.starts, [], 'autoStart false: the gateway waits for an operator');
  second.store.record({ type: 'daemon.stopped', level: 'info', message: 'daemon stopped: test' });
  await second.store.close();

  const third = await startOnce(dataDir, false);
  t.equal(third.store.previousRun, 'clean');
  t.same(third.events.map((e) => e.type), ['daemon.started']);
  await third.store.close();
});

t.test('a maintenance window that keeps the gateway stopped holds the autostart', async (t) => {
  const dataDir = tempDir(t, 'ibgw-startup-');
  const held = await startOnce(dataDir, true, false);
  t.same(held.starts, [], 'not started');
  t.match(held.events, [{ type: 'daemon.started' }, { type: 'gateway.autostart-held' }]);
  await held.store.close();
});
