/**
 * The keeper's own parts, without a gateway: the serial loop (one step at a time, a wake-up
 * during a step is not lost, stale steps are told) and the report (what is said, and once).
 */
import t from 'tap';
import type { ServiceEvent } from '../../daemon/events.js';
import { ObservedGateway } from '../../daemon/session/observed-gateway.js';
import { SerialLoop } from '../../daemon/session/serial-loop.js';
import { SessionReport } from '../../daemon/session/session-report.js';

/** Timers the test fires by hand: nothing depends on the machine's speed. */
function manualTimers() {
  const due: Array<{ fn: () => void; ms: number } | null> = [];
  return {
    due,
    setTimeout: (fn: () => void, ms: number) => due.push({ fn, ms }) - 1,
    clearTimeout: (h: unknown) => { due[h as number] = null; },
    /** Fires the one pending timer; returns its delay. */
    fire(): number {
      const pending = due.map((d, i) => (d ? i : -1)).filter((i) => i >= 0);
      if (pending.length !== 1) throw new Error(`expected one pending timer, found ${pending.length}`);
      const d = due[pending[0]]!;
      due[pending[0]] = null;
      d.fn();
      return d.ms;
    },
    pending: () => due.filter(Boolean).length,
  };
}

const settle = () => new Promise((r) => setImmediate(r));

t.test('serial loop: one step at a time; a wake-up during a step brings one more right after', async (t) => {
  const timers = manualTimers();
  let running = 0;
  let most = 0;
  let steps = 0;
  let release: () => void = () => {};
  const loop = new SerialLoop({
    ...timers, now: () => 0,
    step: async () => {
      steps++;
      most = Math.max(most, ++running);
      await new Promise<void>((r) => { release = r; });
      running--;
      return 500;
    },
    onError: () => 1000,
  });
  loop.wake(0);
  t.equal(timers.pending(), 0, 'nothing before start');
  loop.start();
  t.equal(timers.fire(), 0);
  loop.wake(0); // comes while the step runs
  t.equal(timers.fire(), 0);
  t.equal(steps, 1, 'the second wake-up does not start a second step beside the first');
  release();
  await settle();
  t.equal(timers.fire(), 0, 'the wake-up that came during the step: one more step at once');
  release();
  await settle();
  t.equal(timers.fire(), 500, 'then the delay the step asked for');
  t.equal(most, 1, 'never two steps at once');
  release();
  await settle();
  loop.stop();
  t.equal(timers.pending(), 0, 'stop cancels the next step');
  t.equal(loop.nextAt, null);
});

t.test('serial loop: a failed step is reported and the loop goes on; current() tells stale steps', async (t) => {
  const timers = manualTimers();
  const errors: unknown[] = [];
  const loop = new SerialLoop({ ...timers, now: () => 0, step: async () => { throw new Error('boom'); }, onError: (err) => { errors.push(err); return 1000; } });
  loop.start();
  timers.fire();
  await settle();
  t.equal(errors.length, 1);
  t.equal(timers.fire(), 1000, 'next try after the delay onError named');
  const current = loop.current();
  t.ok(current());
  loop.invalidate();
  t.notOk(current(), 'the gateway went down: a step started before is stale');
  const later = loop.current();
  loop.stop();
  t.notOk(later(), 'and so is every step once the loop stopped');
});

t.test('report: state changes are events (warn only outside maintenance windows); a spent budget is said once per loss', async (t) => {
  const events: ServiceEvent[] = [];
  let inMaintenance = false;
  const report = new SessionReport({ onEvent: (e) => events.push(e), now: () => 1000, historyPath: null, inMaintenance: () => inMaintenance });
  report.setState('unknown', 'starting');
  report.setState('unknown', 'still starting');
  t.equal(events.length, 1, 'the same state again: only its reason changes');
  t.equal(report.reason, 'still starting');
  report.setState('unresponsive', 'no answer');
  inMaintenance = true;
  report.setState('gateway-error', '5xx');
  t.same(events.map((e) => [e.data?.to, e.level]), [['unknown', 'info'], ['unresponsive', 'warn'], ['gateway-error', 'info']]);
  events.length = 0;
  report.budgetSpent('hourly budget spent', 5000);
  report.budgetSpent('hourly budget spent', 5000);
  t.equal(events.filter((e) => e.type === 'session.login-budget').length, 1, 'not at every look');
  report.setState('authenticated', null);
  report.budgetSpent('hourly budget spent', 9000);
  t.equal(events.filter((e) => e.type === 'session.login-budget').length, 2, 'news again after the session was back');
  report.setState('stopped', 'x');
  const sink = new SessionReport({ onEvent: () => { throw new Error('sink down'); }, now: () => 0, historyPath: null, inMaintenance: () => false });
  t.doesNotThrow(() => sink.setState('unknown', 'starting'), "a sink's failure is not the keeper's");
});

t.test('observed gateway: forget() drops everything seen of the old process but the last tickle time', async (t) => {
  const seen = new ObservedGateway(2);
  seen.answering = true;
  seen.tickleUnanswered = true;
  seen.lastTickleMs = 12;
  seen.hang.observe('timeout', 0);
  seen.forget();
  t.match(seen, { answering: false, reading: null, tickleUnanswered: false, lastTickleMs: 12 });
  t.equal(seen.hang.count, 0);
});
