import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { Backoff, LEGAL_TRANSITIONS, RestartPolicy, StateMachine, SUPERVISOR_STATES, isActive, isUp, resolveCommand, type SupervisorState } from '../../daemon/supervisor/index.js';
import { tempDir } from '../helpers/temp-dir.js';

t.test('backoff: exponential, capped, jittered within bounds, reset', async (t) => {
  const b = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 });
  t.same([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()], [100, 200, 400, 800, 1000, 1000]);
  t.equal(b.attempts, 6);
  b.reset();
  t.equal(b.next(), 100, 'starts over after reset');

  const low = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.2 }, () => 0);
  const high = new Backoff({ initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.2 }, () => 0.999999);
  t.same([low.next(), low.next()], [80, 160], 'jitter down to 1 - jitter');
  t.same([high.next(), high.next()], [120, 240], 'jitter up to 1 + jitter');
  for (let i = 0; i < 10; i++) high.next();
  t.equal(high.next(), 1000, 'the cap holds after jitter');
  const many = new Backoff({ initialMs: 100, maxMs: 5000, factor: 3, jitter: 0 });
  for (let i = 0; i < 2000; i++) many.next();
  t.equal(many.next(), 5000, 'no overflow after many failures');
});

t.test('restart policy: more than maxRestarts within the sliding window → refused', async (t) => {
  let now = 0;
  const p = new RestartPolicy({ maxRestarts: 3, windowMs: 1000, now: () => now });
  t.ok(p.tryRestart());
  now = 100;
  t.ok(p.tryRestart());
  now = 200;
  t.ok(p.tryRestart());
  now = 300;
  t.notOk(p.tryRestart(), 'the 4th within 1 s is refused');
  t.equal(p.count, 3, 'a refusal records nothing');
  now = 1001;
  t.ok(p.tryRestart(), 'the first one slid out of the window');
  t.equal(p.count, 3);
  p.clear();
  t.equal(p.count, 0, 'an operator start clears it');
  const none = new RestartPolicy({ maxRestarts: 0, windowMs: 1000 });
  t.notOk(none.tryRestart(), 'maxRestarts 0: never restart automatically');
});

t.test('state machine: legal moves only', async (t) => {
  const sm = new StateMachine(() => 0);
  t.equal(sm.state, 'stopped');
  t.throws(() => sm.transition('running', 'x'), { code: 'IBGW_INVALID_TRANSITION' });
  const path: SupervisorState[] = ['starting', 'running', 'stopping', 'starting', 'backoff', 'starting', 'fatal', 'starting', 'running', 'backoff', 'stopped'];
  for (const to of path) t.equal(sm.transition(to, `to ${to}`).to, to);
  t.equal(sm.reason, 'to stopped');
  t.notOk(LEGAL_TRANSITIONS.fatal.includes('stopped'), 'only a start leaves fatal');
  t.notOk(LEGAL_TRANSITIONS.backoff.includes('running'), 'no running without starting');
  for (const [from, tos] of Object.entries(LEGAL_TRANSITIONS)) t.notOk(tos.includes(from as SupervisorState), `${from} does not loop to itself`);
});

t.test('state list: one list, and what each state means to the rest of the daemon', async (t) => {
  t.same([...SUPERVISOR_STATES].sort(), Object.keys(LEGAL_TRANSITIONS).sort(), 'the list and the transition table name the same states');
  t.same(SUPERVISOR_STATES.filter(isActive), ['starting', 'running', 'backoff'], 'active: meant to run (a backoff start is pending)');
  t.same(SUPERVISOR_STATES.filter(isUp), ['starting', 'running'], 'up: a process lives and is not being stopped');
});

t.test('resolveCommand: PATH, cwd-relative, executable bit', async (t) => {
  const dir = tempDir(t, 'ibgw-resolve-');
  writeFileSync(join(dir, 'plain.txt'), 'not a program', { mode: 0o644 });
  t.match(resolveCommand('sh', '/', '/usr/bin:/bin'), { ok: true });
  t.match(resolveCommand('./sh', '/bin', undefined), { ok: true, path: '/bin/sh' }, 'relative to the launch cwd');
  t.match(resolveCommand('nope-not-here', '/', '/usr/bin:/bin'), { ok: false });
  t.match(resolveCommand(join(dir, 'plain.txt'), '/', undefined), { ok: false, why: /not executable/ });
  t.match(resolveCommand('plain.txt', dir, ''), { ok: false }, 'an empty PATH entry is the cwd, and the bit still counts');
  t.match(resolveCommand('sh', '/no/such/dir', undefined), { ok: false, why: /working directory/ });
  t.match(resolveCommand('', '/', undefined), { ok: false });
});
