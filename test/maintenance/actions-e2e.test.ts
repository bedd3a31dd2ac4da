/**
 * Each action end to end: the real Supervisor runs the simulated gateway, the maintenance
 * service acts on it at window edges walked by a fake clock. restart → a new process; stop →
 * the group is gone for the window (and stays so across a daemon restart) and comes back
 * after; quiet → notifications held, the process untouched; apply → the staged conf, allow-list
 * and certificate changes land in one start, pass the gate, and a manual rollback undoes them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { groupGone } from '../helpers/daemon.js';
import { gatewayStack } from '../helpers/maintenance-stack.js';
import { waitFor } from '../../testkit/wait-for.js';

const MIN = 60_000;

t.test('restart, stop (across a daemon restart), quiet, apply and a manual rollback', async (t) => {
  const held: string[] = [];
  let s = await gatewayStack(t, { maintenance: { notifier: () => ({ hold: (r) => held.push(`hold ${r}`), release: (r) => held.push(`release ${r}`) }) } });
  await s.supervisor.start('test');
  const T = s.m.clock.now();
  const at = (min: number) => new Date(T + min * MIN).toISOString();
  const svc = () => s.m.service;

  // restart
  const pid1 = s.supervisor.status().pid!;
  svc().addWindow({ title: 'restart', action: 'restart', start: at(1), end: at(10) }, 'admin');
  await s.m.advanceTo(T + MIN);
  t.equal(s.supervisor.status().state, 'running');
  const pid2 = s.supervisor.status().pid!;
  t.not(pid2, pid1, 'a new gateway process');
  t.ok(groupGone(pid1), 'the old group is gone');
  await s.m.advanceTo(T + 10 * MIN);
  t.match(s.m.of('maintenance.end'), [{ data: { title: 'restart' } }]);

  // stop, with a daemon restart inside the window
  svc().addWindow({ title: 'down', action: 'stop', start: at(15), end: at(25) }, 'admin');
  await s.m.advanceTo(T + 15 * MIN);
  t.equal(s.supervisor.status().state, 'stopped');
  await waitFor(() => groupGone(pid2), 5000, 'the gateway group gone');
  s = await s.restartDaemon();
  t.equal(svc().gatewayShouldRun(), false, 'the restarted daemon must not autostart it');
  t.equal(s.supervisor.status().state, 'stopped');
  await s.m.advanceTo(T + 25 * MIN);
  t.equal(s.supervisor.status().state, 'running', 'started again at the end of the window');
  t.equal(svc().gatewayShouldRun(), true);

  // quiet
  const pid3 = s.supervisor.status().pid;
  svc().addWindow({ title: 'hush', action: 'quiet', start: at(30), end: at(40) }, 'admin');
  await s.m.advanceTo(T + 35 * MIN);
  t.match(held, [/^hold maintenance window "hush"/]);
  t.match(s.m.calendar.current(T + 35 * MIN), { windows: [{ source: 'admin', title: 'hush' }] }, 'the session keeper sees the window in its calendar');
  await s.m.advanceTo(T + 40 * MIN);
  t.match(held, [/^hold/, /^release/]);
  t.equal(s.supervisor.status().pid, pid3, 'quiet leaves the gateway alone');

  // apply: staged changes wait for the window
  const confBefore = s.confText();
  const fingerprintBefore = JSON.parse(readFileSync(join(s.dataDir, 'tls/keystore.json'), 'utf8')).fingerprint;
  // Applied in staging order: a whole conf first, then an allow-list edit on top of it.
  await svc().stage({ kind: 'conf', text: confBefore.replace('ip2loc: "US"', 'ip2loc: "CH"'), reason: 'geo' }, 'admin');
  await svc().stage({ kind: 'access', op: 'add', list: 'allow', entry: '10.20.0.0/16' }, 'admin');
  await svc().stage({ kind: 'tls-renew' }, 'admin');
  await t.rejects(svc().stage({ kind: 'access', op: 'add', list: 'allow', entry: '10.1.16.0/20' }, 'admin'), { code: 'IBGW_ACCESS_PATTERN' }, 'a bad change is refused when staged, not at 02:00');
  t.equal(s.confText(), confBefore, 'nothing applied yet');
  svc().addWindow({ title: 'apply', action: 'apply', start: at(50), end: at(60) }, 'admin');
  const plan = await svc().plan();
  t.match(plan, { window: { title: 'apply', action: 'apply' }, changes: [{ kind: 'conf' }, { kind: 'access', summary: /add allow 10\.20\.0\.0\/16/ }, { kind: 'tls-renew' }] });
  t.match(plan.rollbackTo, [/^conf\.yaml /, new RegExp(`^certificate ${fingerprintBefore}`)]);
  t.notOk(JSON.stringify(plan).includes('sslPwd: "') && JSON.stringify(plan).includes(JSON.parse(readFileSync(join(s.dataDir, 'tls/keystore.json'), 'utf8')).password), 'no keystore password in the plan');
  const pid4 = s.supervisor.status().pid!;
  await s.m.advanceTo(T + 50 * MIN);
  t.equal(s.supervisor.status().state, 'running');
  t.not(s.supervisor.status().pid, pid4, 'one start with everything in it');
  t.match(s.confText(), /- 10\.20\.\*/);
  t.match(s.confText(), /ip2loc: "CH"/);
  const fingerprintAfter = JSON.parse(readFileSync(join(s.dataDir, 'tls/keystore.json'), 'utf8')).fingerprint;
  t.not(fingerprintAfter, fingerprintBefore, 'certificate renewed');
  t.match(s.m.of('maintenance.applied'), [{ data: { gate: 'passed' } }]);
  t.equal(svc().pending.count(), 0, 'the queue is empty');
  t.ok(s.events.some((e) => e.type === 'gateway.restart-deferred'), 'the services asked for restarts while the gateway was stopped: one start took them all');

  // manual rollback to what ran before the apply
  await svc().rollback();
  await s.m.settle();
  t.match(s.m.of('maintenance.rolled-back'), [{ data: { manual: true, gate: 'passed' } }]);
  t.notOk(/10\.20\.\*/.test(s.confText()), 'the allow-list change is undone');
  t.match(s.confText(), /ip2loc: "US"/);
  t.equal(JSON.parse(readFileSync(join(s.dataDir, 'tls/keystore.json'), 'utf8')).fingerprint, fingerprintBefore, 'the certificate is the one from before');
  t.equal(s.gateway.info().tls?.fingerprint, fingerprintBefore, 'and the gateway serves it');
  t.equal(s.supervisor.status().state, 'running');
  await t.rejects(svc().rollback(), { code: 'IBGW_NO_ROLLBACK_POINT' }, 'one rollback per change');
});
