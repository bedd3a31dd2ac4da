import { EventEmitter } from 'node:events';
import t from 'tap';
import { RingSeries } from '../../daemon/history/ring-series.js';
import { StatusHistory } from '../../daemon/history/status-history.js';
import { HistoryService } from '../../daemon/services/history-service.js';
import type { DaemonContext } from '../../daemon/lifecycle/daemon-context.js';
import type { Supervisor } from '../../daemon/supervisor/index.js';

t.test('a ring keeps the newest rows, oldest first, and answers what came after an instant', async (t) => {
  const ring = new RingSeries(3, 2);
  t.same(ring.since(0), [[], [], []], 'empty');
  for (let i = 1; i <= 5; i++) ring.push(i * 10, [i, -i]);
  t.equal(ring.size, 3, 'bounded by its capacity');
  t.same(ring.since(0), [[30, 40, 50], [3, 4, 5], [-3, -4, -5]], 'the last three, in order');
  t.same(ring.since(40), [[50], [5], [-5]], 'only rows after `since`');
  t.notOk(ring.push(45, [0, 0]), 'a row from the past is dropped');
  t.same(ring.since(0)[0], [30, 40, 50]);
  t.throws(() => new RingSeries(0, 1), RangeError);
});

t.test('the history reads the last window only', async (t) => {
  let now = 10_000_000;
  const history = new StatusHistory({ windowMs: 60_000, capacity: 100, now: () => now });
  history.addSample(now - 120_000, 1, 100);
  history.addSample(now - 30_000, 2, 200);
  history.addTickle(now - 20_000, 15);
  const reading = history.read();
  t.same(reading.samples, { at: [now - 30_000], cpu: [2], memory: [200] }, 'older than the window: left out');
  t.same(reading.tickles, { at: [now - 20_000], ms: [15] });
  now += 25_000;
  t.same(history.read(now - 30_000).samples.at, [], 'since narrows it further');
  t.equal(reading.windowMs, 60_000);
});

t.test('the service records each sample and each new keep-alive call once', async (t) => {
  const supervisor = new EventEmitter();
  let tickle: { lastTickleAt: number | null; lastTickleMs: number | null } | null = null;
  const service = new HistoryService({} as DaemonContext, { supervisor: supervisor as unknown as Supervisor, lastTickle: () => tickle });
  await service.start();
  const at = (ms: number) => new Date(ms).toISOString();
  const base = Date.now() - 10_000;
  supervisor.emit('sample', { cpu: 3, memory: 1000, pids: [1], at: at(base) });
  tickle = { lastTickleAt: base + 500, lastTickleMs: 12 };
  supervisor.emit('sample', { cpu: 4, memory: 2000, pids: [1], at: at(base + 1000) });
  supervisor.emit('sample', { cpu: 5, memory: 3000, pids: [1], at: at(base + 2000) });
  const r = service.history.read();
  t.same(r.samples.cpu, [3, 4, 5]);
  t.same(r.tickles, { at: [base + 500], ms: [12] }, 'the same tickle seen at two samples is one point');
  await service.stop();
  await service.stop();
  supervisor.emit('sample', { cpu: 6, memory: 1, pids: [1], at: at(base + 3000) });
  t.equal(service.history.read().samples.cpu.length, 3, 'stopped: no longer listening');
});
