import t from 'tap';
import { ConditionTracker } from '../../daemon/notify/conditions.js';
import type { NotificationDraft } from '../../daemon/notify/notification.js';
import { resolveRules } from '../../daemon/notify/rules.js';
import type { ServiceEvent } from '../../daemon/events.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { notifyConfig } from '../helpers/notify-config.js';

const MIN = 60_000;

function tracker(overrides = {}) {
  const clock = new FakeClock('2025-03-03T12:00:00Z');
  const sent: NotificationDraft[] = [];
  const tr = new ConditionTracker({ now: clock.now, timers: clock.timers, emit: (_rule, d) => sent.push(d) }, resolveRules(notifyConfig([], overrides)));
  return { clock, sent, tr };
}

// Event shapes as the services emit them today (supervisor.ts, keeper.ts, expiry-watch.ts, admin-auth.ts).
const transition = (from: string, to: string, reason = 'x'): ServiceEvent => ({
  type: 'gateway.transition', level: to === 'fatal' ? 'error' : to === 'backoff' ? 'warn' : 'info',
  message: `gateway ${from} -> ${to}: ${reason}`, data: { from, to, reason, at: '', pid: 1, exitCode: 1, signal: null },
});
const sessionState = (from: string, to: string): ServiceEvent => ({ type: 'session.state', level: 'warn', message: `session ${from} → ${to}`, data: { from, to, reason: null, at: 0, inMaintenance: false } });

t.test('gateway fatal: one alert, the repeats summarised once, then a recovery with the downtime', async (t) => {
  const { clock, sent, tr } = tracker();
  tr.handle(transition('backoff', 'fatal', 'too many restarts'));
  t.equal(sent.length, 1);
  t.match(sent[0], { kind: 'alert', rule: 'gateway-fatal', severity: 'error', title: 'gateway backoff -> fatal: too many restarts' });
  clock.advance(MIN);
  tr.handle(transition('starting', 'fatal'));
  tr.handle(transition('starting', 'fatal'));
  t.equal(sent.length, 1, 'the same condition within the window is not sent again');
  clock.advance(14 * MIN);
  t.equal(sent.length, 2, 'the window closed with a summary');
  t.match(sent[1], { kind: 'summary', count: 2, title: 'gateway-fatal: happened 2 more times in 15 min' });
  clock.advance(2 * MIN);
  tr.handle(transition('starting', 'running'));
  t.equal(sent.length, 3);
  t.match(sent[2], { kind: 'recovery', severity: 'info', title: 'gateway running again after 17 min down', durationMs: 17 * MIN });
  tr.handle(transition('starting', 'running'));
  t.equal(sent.length, 3, 'running again without an alert open is not news');
});

t.test('a quiet window closes without a summary, and the next occurrence alerts again', async (t) => {
  const { clock, sent, tr } = tracker();
  tr.handle({ type: 'api.auth.lockout', level: 'warn', message: 'admin authentication locked out 10.0.0.9', data: { ip: '10.0.0.9' } });
  clock.advance(16 * MIN);
  t.equal(sent.length, 1);
  tr.handle({ type: 'api.auth.burst', level: 'warn', message: '40 failed token checks from 3 addresses', data: { addresses: ['10.0.0.9', '10.0.0.10'] } });
  t.equal(sent.length, 2);
  t.match(sent[1].text, /addresses: \["10.0.0.9","10.0.0.10"\]/, 'the source addresses are in the message');
  t.equal(clock.pending, 1, 'only the new window is open');
});

t.test('crash loop: three unrequested exits within ten minutes, not fewer', async (t) => {
  const { clock, sent, tr } = tracker();
  tr.handle(transition('running', 'backoff'));
  clock.advance(6 * MIN);
  tr.handle(transition('running', 'backoff'));
  clock.advance(5 * MIN);
  tr.handle(transition('running', 'backoff'));
  t.equal(sent.filter((s) => s.rule === 'gateway-crash-loop').length, 0, 'the first crash left the window');
  clock.advance(1 * MIN);
  tr.handle(transition('running', 'backoff'));
  t.match(sent.filter((s) => s.rule === 'gateway-crash-loop'), [{ kind: 'alert' }]);
});

t.test('needs-login: silent when resolved within N minutes; alert after N and a recovery after login', async (t) => {
  const { clock, sent, tr } = tracker({ needsLoginMinutes: 10 });
  tr.handle(sessionState('no-session', 'needs-login'));
  clock.advance(4 * MIN);
  tr.handle(sessionState('needs-login', 'authenticated'));
  clock.advance(20 * MIN);
  t.equal(sent.length, 0, 'resolved in time: nothing sent, no recovery either');

  tr.handle(sessionState('no-session', 'needs-login'));
  clock.advance(10 * MIN);
  t.equal(sent.length, 1);
  t.match(sent[0], { kind: 'alert', rule: 'session-needs-login', title: 'session no-session → needs-login (still after 10 min)' });
  clock.advance(5 * MIN);
  tr.handle(sessionState('needs-login', 'authenticated'));
  t.match(sent[1], { kind: 'recovery', title: 'session authenticated again after 15 min waiting for a login' });
});

t.test('presets tell conditions apart by their key fields', async (t) => {
  const { sent, tr } = tracker();
  const expiry = (threshold: number) => ({ type: 'tls.expiry', level: 'warn' as const, message: `expires in ${threshold} days`, data: { threshold, daysLeft: threshold } });
  tr.handle(expiry(30));
  tr.handle(expiry(7));
  t.equal(sent.length, 2, '30 and 7 days are two messages');
  tr.handle({ type: 'tls.renewed', level: 'info', message: 'renewed', data: {} });
  t.equal(sent.length, 3, 'one recovery for the rule');
  t.match(sent[2], { kind: 'recovery', title: /^gateway certificate renewed 0 s after/ });

  for (const type of ['maintenance.notice', 'maintenance.start', 'maintenance.end']) tr.handle({ type, level: 'info', message: type, data: { windowId: 'w1' } });
  tr.handle({ type: 'maintenance.notice', level: 'info', message: 'again', data: { windowId: 'w1' } });
  t.equal(sent.filter((s) => s.rule === 'maintenance').length, 3, 'notice, start, end each sent; the repeated notice deduplicated');
  for (const type of ['session.login-blocked', 'login.budget-low', 'gateway.update-available', 'daemon.unclean-start']) {
    tr.handle({ type, level: 'warn', message: type, data: { version: '10.30' } });
  }
  t.same(sent.slice(-4).map((s) => s.rule), ['login-rejected', 'login-budget', 'update-available', 'unclean-start']);
  t.equal(sent.some((s) => s.rule === null), false);
});

t.test('user rules: patterns, minimum level, data filter, no dedupe', async (t) => {
  const { sent, tr } = tracker({
    rules: [{ name: 'config', events: ['config.*'], minLevel: 'warn', dedupeMinutes: 0 }, { events: ['gateway.transition'], where: { to: ['stopped', 'stopping'] } }],
  });
  tr.handle({ type: 'config.applied', level: 'info', message: 'applied' });
  tr.handle({ type: 'config.invalid', level: 'error', message: 'bad edit' });
  tr.handle({ type: 'config.invalid', level: 'error', message: 'bad edit again' });
  tr.handle(transition('running', 'fatal'));
  tr.handle(transition('running', 'stopping'));
  t.same(sent.map((s) => [s.rule, s.title]), [['config', 'bad edit'], ['config', 'bad edit again'], ['rule-2', 'gateway running -> stopping: x']]);
});

t.test('new rules keep the episodes of rules that stay; stop clears every timer', async (t) => {
  const { clock, sent, tr } = tracker();
  tr.handle(transition('backoff', 'fatal'));
  tr.setRules(resolveRules(notifyConfig([], { rules: [{ preset: 'gateway-fatal' }] })));
  clock.advance(MIN);
  tr.handle(transition('starting', 'running'));
  t.match(sent.at(-1), { kind: 'recovery' }, 'the open alert survived the reload');
  tr.handle(sessionState('x', 'needs-login'));
  tr.stop();
  t.equal(clock.pending, 0);
});
