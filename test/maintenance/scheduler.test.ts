/**
 * When maintenance happens, on a fake clock: notices at the lead time, start and end at the
 * right instants (across DST changes), what each action asks of the gateway, a daemon
 * restarted inside a window, windows missed while the daemon was down, skip, now, end now.
 */
import t from 'tap';
import { maintenanceHarness, RecordingGateway } from '../helpers/maintenance-harness.js';

const MIN = 60_000;

t.test('notice at the lead time, then start and end at the window edges', async (t) => {
  const h = await maintenanceHarness(t, { start: '2025-06-02T10:00:00Z' });
  h.service.addWindow({ title: 'reboot', action: 'restart', start: '2025-06-02T11:00:00Z', end: '2025-06-02T11:20:00Z' }, 'admin');
  h.service.addWindow({ title: 'long notice', action: 'quiet', start: '2025-06-02T14:00:00Z', end: '2025-06-02T14:30:00Z', noticeMinutes: 120 }, 'admin');
  await h.advanceTo('2025-06-02T10:44:59Z');
  t.equal(h.of('maintenance.notice').length, 0, 'nothing before the lead time');
  await h.advanceTo('2025-06-02T10:45:00Z');
  t.match(h.of('maintenance.notice'), [{ data: { title: 'reboot', action: 'restart', start: '2025-06-02T11:00:00.000Z', inMinutes: 15 } }]);
  t.equal(h.clock.now(), Date.parse('2025-06-02T10:45:00Z'));
  await h.advanceTo('2025-06-02T11:00:00Z');
  t.match(h.of('maintenance.start'), [{ data: { title: 'reboot', late: false } }]);
  t.same((h.gateway as RecordingGateway).only('restart').length, 1, 'the restart action ran');
  t.match(h.service.status(), { current: { title: 'reboot', action: 'restart' } });
  await h.advanceTo('2025-06-02T11:19:59Z');
  t.equal(h.of('maintenance.end').length, 0);
  await h.advanceTo('2025-06-02T11:20:00Z');
  t.match(h.of('maintenance.end'), [{ data: { title: 'reboot' } }]);
  t.equal(h.service.status().current, null);
  await h.advanceTo('2025-06-02T11:59:59Z');
  t.equal(h.of('maintenance.notice').length, 1, 'a window\'s own noticeMinutes (120) wins over the default');
  await h.advanceTo('2025-06-02T12:00:00Z');
  t.match(h.of('maintenance.notice')[1], { data: { title: 'long notice', inMinutes: 120 } });
  await h.advanceTo('2025-06-02T13:00:00Z');
  t.equal(h.of('maintenance.notice').length, 2, 'one notice per occurrence');
});

t.test('stop keeps the gateway stopped for the window and starts it after; quiet holds notifications', async (t) => {
  const held: string[] = [];
  const gateway = new RecordingGateway('running');
  const h = await maintenanceHarness(t, {
    start: '2025-06-02T10:00:00Z', gateway,
    notifier: () => ({ hold: (r) => held.push(`hold ${r}`), release: (r) => held.push(`release ${r}`) }),
  });
  h.service.addWindow({ title: 'down', action: 'stop', start: '2025-06-02T10:30:00Z', end: '2025-06-02T11:00:00Z' }, 'admin');
  h.service.addWindow({ title: 'hush', action: 'quiet', start: '2025-06-02T12:00:00Z', end: '2025-06-02T12:30:00Z' }, 'admin');
  await h.advanceTo('2025-06-02T10:30:00Z');
  t.equal(gateway.state, 'stopped');
  t.equal(h.service.gatewayShouldRun(), false, 'the daemon must not autostart it now');
  await h.advanceTo('2025-06-02T11:00:00Z');
  t.equal(gateway.state, 'running', 'started again after the window');
  t.equal(h.service.gatewayShouldRun(), true);
  await h.advanceTo('2025-06-02T12:10:00Z');
  t.match(held, [/^hold maintenance window "hush"/]);
  t.equal(gateway.calls.length, 2, 'quiet leaves the gateway alone');
  await h.advanceTo('2025-06-02T12:30:00Z');
  t.match(held, [/^hold/, /^release/]);
});

t.test('a stop window does not start a gateway that was stopped before it', async (t) => {
  const gateway = new RecordingGateway('stopped');
  const h = await maintenanceHarness(t, { start: '2025-06-02T10:00:00Z', gateway });
  h.service.addWindow({ title: 'down', action: 'stop', start: '2025-06-02T10:30:00Z', end: '2025-06-02T11:00:00Z' }, 'admin');
  await h.advanceTo('2025-06-02T11:30:00Z');
  t.same(gateway.calls, [], 'never touched');
});

t.test('recurring windows across DST: America/New_York (days + time) and Europe/Zurich (cron)', async (t) => {
  const h = await maintenanceHarness(t, { start: '2025-03-01T00:00:00Z', config: { noticeLeadMinutes: 0 } });
  // 02:30 does not exist in New York on 2025-03-09: it happens when the clock jumps, 03:30 EDT.
  const ny = h.service.addWindow({ title: 'ny', action: 'quiet', days: [0], time: '02:30', timeZone: 'America/New_York', durationMinutes: 60 }, 'admin');
  // 02:00 Zurich on 2025-03-30 is skipped too (→ 03:00 CEST), and on 2025-10-26 it happens twice (the first counts).
  const zh = h.service.addWindow({ title: 'zh', action: 'quiet', cron: '0 2 * * 0', timeZone: 'Europe/Zurich', durationMinutes: 30 }, 'admin');
  const starts = (id: string, from: string, to: string) => h.service.book.occurrences(Date.parse(from), Date.parse(to)).filter((o) => o.window.id === id).map((o) => new Date(o.start).toISOString());
  t.same(starts(ny.id, '2025-03-01T00:00:00Z', '2025-03-20T00:00:00Z'), ['2025-03-02T07:30:00.000Z', '2025-03-09T07:30:00.000Z', '2025-03-16T06:30:00.000Z']);
  t.same(starts(ny.id, '2025-10-30T00:00:00Z', '2025-11-10T00:00:00Z'), ['2025-11-02T07:30:00.000Z', '2025-11-09T07:30:00.000Z'], '02:30 EST after the fall back');
  t.same(starts(zh.id, '2025-03-22T00:00:00Z', '2025-04-07T00:00:00Z'), ['2025-03-23T01:00:00.000Z', '2025-03-30T01:00:00.000Z', '2025-04-06T00:00:00.000Z']);
  t.same(starts(zh.id, '2025-10-20T00:00:00Z', '2025-11-03T00:00:00Z'), ['2025-10-26T00:00:00.000Z', '2025-11-02T01:00:00.000Z']);
  // The scheduler acts at those instants, not an hour off.
  await h.advanceTo('2025-03-09T07:29:59Z');
  t.equal(h.of('maintenance.start').filter((e) => e.data?.title === 'ny').length, 1, 'only the 2 March one so far');
  await h.advanceTo('2025-03-09T07:30:00Z');
  t.match(h.of('maintenance.start').at(-1), { data: { title: 'ny', start: '2025-03-09T07:30:00.000Z' } });
  await h.advanceTo('2025-03-30T01:00:00Z');
  t.match(h.of('maintenance.start').at(-1), { data: { title: 'zh', start: '2025-03-30T01:00:00.000Z' } });
  t.ok(h.of('maintenance.end').some((e) => e.data?.title === 'ny' && e.data?.endedAt === '2025-03-09T08:30:00.000Z'), 'the NY window ended an hour after its shifted start');
});

t.test('a daemon restarted inside a stop window resumes it: the gateway stays stopped until the end', async (t) => {
  const gateway = new RecordingGateway('running');
  let h = await maintenanceHarness(t, { start: '2025-06-02T10:00:00Z', gateway });
  h.service.addWindow({ title: 'down', action: 'stop', start: '2025-06-02T10:30:00Z', end: '2025-06-02T11:30:00Z' }, 'admin');
  await h.advanceTo('2025-06-02T10:40:00Z');
  t.equal(gateway.state, 'stopped');
  h = await h.restartDaemon();
  t.equal(h.service.gatewayShouldRun(), false, 'after the restart: still inside the stop window');
  t.match(h.of('maintenance.resumed'), [{ data: { title: 'down', action: 'stop' } }]);
  t.equal(h.of('maintenance.start').length, 1, 'resumed, not started again');
  // A daemon that autostarted anyway is stopped again by the resume.
  const autostarted = new RecordingGateway('running');
  h = await h.restartDaemon({ gateway: autostarted });
  t.equal(autostarted.state, 'stopped');
  await h.advanceTo('2025-06-02T11:30:00Z');
  t.equal(autostarted.state, 'running', 'started at the end (it ran when the window began)');
  t.equal(h.service.gatewayShouldRun(), true);
});

t.test('a window missed while the daemon was down is reported, not run late — unless runIfMissed', async (t) => {
  const gateway = new RecordingGateway('running');
  let h = await maintenanceHarness(t, { start: '2025-06-02T10:00:00Z', gateway });
  h.service.addWindow({ title: 'plain', action: 'restart', start: '2025-06-02T11:00:00Z', end: '2025-06-02T11:10:00Z' }, 'admin');
  h.service.addWindow({ title: 'catch up', action: 'restart', runIfMissed: true, cron: '0 12 * * *', timeZone: 'UTC', durationMinutes: 10 }, 'admin');
  await h.restartDaemon().then((x) => x.service.stop()); // the daemon goes down at 10:00 …
  h.clock.setTimeout(() => {}, 0);
  await h.clock.runTo('2025-06-04T13:00:00Z'); // … and comes back two days later
  h = await h.restartDaemon();
  const missed = h.of('maintenance.missed');
  t.match(missed.find((e) => e.data?.title === 'plain'), { data: { runLate: false, occurrences: ['2025-06-02T11:00:00.000Z'] } });
  t.match(missed.find((e) => e.data?.title === 'catch up'), { data: { runLate: true, occurrences: ['2025-06-02T12:00:00.000Z', '2025-06-03T12:00:00.000Z', '2025-06-04T12:00:00.000Z'] } });
  t.equal(gateway.only('restart').length, 1, 'one late run for three missed occurrences, none for the plain window');
  t.match(gateway.only('restart')[0], /missed maintenance window "catch up"/);
  t.equal(h.of('maintenance.start').length, 0);
});

t.test('a window that began while the daemon was down: stop holds, a one-shot action is not run late', async (t) => {
  const gateway = new RecordingGateway('stopped');
  let h = await maintenanceHarness(t, { start: '2025-06-02T10:00:00Z', gateway });
  h.service.addWindow({ title: 'restart', action: 'restart', start: '2025-06-02T10:30:00Z', end: '2025-06-02T11:00:00Z' }, 'admin');
  h.service.addWindow({ title: 'down', action: 'stop', start: '2025-06-02T12:00:00Z', end: '2025-06-02T13:00:00Z' }, 'admin');
  await h.restartDaemon().then((x) => x.service.stop());
  await h.clock.runTo('2025-06-02T10:40:00Z');
  gateway.state = 'running';
  h = await h.restartDaemon();
  t.match(h.of('maintenance.start').at(-1), { data: { title: 'restart', late: true, actionSkipped: /runIfMissed is off/ } });
  t.equal(gateway.only('restart').length, 0);
  await h.restartDaemon().then((x) => x.service.stop());
  await h.clock.runTo('2025-06-02T12:10:00Z');
  h = await h.restartDaemon();
  t.match(h.of('maintenance.start').at(-1), { data: { title: 'down', late: true, actionSkipped: null } });
  t.equal(gateway.state, 'stopped', 'a stop window stops the gateway even when entered late');
  t.equal(h.service.gatewayShouldRun(), false);
});

t.test('skip the next occurrence, maintenance now for N minutes, end now', async (t) => {
  const gateway = new RecordingGateway('running');
  const h = await maintenanceHarness(t, { start: '2025-06-02T10:00:00Z', gateway });
  const daily = h.service.addWindow({ title: 'daily', action: 'restart', cron: '0 3 * * *', timeZone: 'UTC', durationMinutes: 15 }, 'admin');
  t.match(h.service.skipNext(daily.id, 'admin'), { start: '2025-06-03T03:00:00.000Z' });
  await h.advanceTo('2025-06-03T04:00:00Z');
  t.equal(h.of('maintenance.start').length, 0, 'skipped');
  t.equal(h.of('maintenance.notice').length, 0, 'no notice for a skipped occurrence');
  await h.advanceTo('2025-06-04T03:00:00Z');
  t.equal(h.of('maintenance.start').length, 1, 'the one after runs');
  await h.advanceTo('2025-06-04T04:00:00Z');

  const w = await h.service.now({ minutes: 30, action: 'stop', title: 'hotfix' }, 'admin');
  await h.settle();
  t.ok(w.adhoc);
  t.equal(gateway.state, 'stopped');
  t.match(h.service.next(), { title: 'hotfix', active: true, action: 'stop' });
  await h.advance(5 * MIN);
  const ended = await h.service.end();
  await h.settle();
  t.equal(ended.end, '2025-06-04T04:05:00.000Z');
  t.equal(gateway.state, 'running', 'end now runs the end actions');
  t.equal(h.service.status().current, null);
  t.notOk(h.service.listWindows().some((x) => x.id === w.id), 'a "now" window is gone once it ended');
  t.match(h.service.next(), { title: 'daily', active: false, start: '2025-06-05T03:00:00.000Z' });
});
