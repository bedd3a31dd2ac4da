/**
 * The maintenance API through the real app (buildApp + inject): every invalid window is a 400
 * IBGW_MAINTENANCE_INVALID naming the field; an overlap is a 409 naming the window it hits
 * (recurring against one-off, across time zones); the calendar marks IBKR's resets.
 */
import t, { type Test } from 'tap';
import { IbkrResetSource } from '../../daemon/maintenance/ibkr-resets.js';
import { auth, buildMaintenanceApp } from '../helpers/maintenance-app.js';
import { maintenanceHarness } from '../helpers/maintenance-harness.js';

const NOW = '2025-06-02T10:00:00Z'; // a Monday
const base = { title: 'w', action: 'restart' };
const recurring = { ...base, cron: '0 3 * * *', timeZone: 'UTC', durationMinutes: 30 };

async function setup(t: Test) {
  const h = await maintenanceHarness(t, { start: NOW, sources: [new IbkrResetSource({ region: 'north-america', daily: { start: '23:45', durationMin: 90 }, weekly: null })] });
  const app = await buildMaintenanceApp(t, h.store, { maintenance: () => h.service, versions: () => null });
  const post = (payload: unknown, url = '/api/v1/maintenance/windows') => app.inject({ method: 'POST', url, headers: auth, payload: payload as object });
  return { h, app, post };
}

t.test('the invalid input table: 400 naming the field', async (t) => {
  const { post } = await setup(t);
  const table: Array<[string, Record<string, unknown>, string]> = [
    ['end before start', { ...base, start: '2025-06-02T12:00:00Z', end: '2025-06-02T11:00:00Z' }, 'end'],
    ['end equal to start', { ...base, start: '2025-06-02T12:00:00Z', end: '2025-06-02T12:00:00Z' }, 'end'],
    ['end in the past', { ...base, start: '2025-06-01T08:00:00Z', end: '2025-06-01T09:00:00Z' }, 'end'],
    ['start not a date', { ...base, start: 'tomorrow', end: '2025-06-02T12:00:00Z' }, 'start'],
    ['wall time without a zone', { ...base, start: '2025-06-02T12:00', end: '2025-06-02T13:00' }, 'start'],
    ['start without end', { ...base, start: '2025-06-02T12:00:00Z' }, 'end'],
    ['one-off longer than maxWindowMinutes', { ...base, start: '2025-06-02T12:00:00Z', end: '2025-06-06T12:00:00Z' }, 'end'],
    ['bad cron', { ...recurring, cron: '61 * * * *' }, 'cron'],
    ['cron that never fires', { ...recurring, cron: '0 0 30 2 *' }, 'cron'],
    ['cron every ten minutes', { ...recurring, cron: '*/10 * * * *', durationMinutes: 5 }, 'cron'],
    ['unknown zone', { ...recurring, timeZone: 'Mars/Olympus' }, 'timeZone'],
    ['recurring without a zone', { ...base, cron: '0 3 * * *', durationMinutes: 30 }, 'timeZone'],
    ['zero duration', { ...recurring, durationMinutes: 0 }, 'durationMinutes'],
    ['over-long duration', { ...recurring, durationMinutes: 5000 }, 'durationMinutes'],
    ['duration longer than the gap', { ...base, days: [1, 2], time: '02:00', timeZone: 'UTC', durationMinutes: 1500 }, 'durationMinutes'],
    ['recurring without duration', { ...base, cron: '0 3 * * *', timeZone: 'UTC' }, 'durationMinutes'],
    ['duration with start/end', { ...base, start: '2025-06-02T12:00:00Z', end: '2025-06-02T13:00:00Z', durationMinutes: 60 }, 'durationMinutes'],
    ['unknown action', { ...recurring, action: 'reboot' }, 'action'],
    ['missing action', { title: 'w', cron: '0 3 * * *', timeZone: 'UTC', durationMinutes: 30 }, 'action'],
    ['missing title', { action: 'quiet', cron: '0 3 * * *', timeZone: 'UTC', durationMinutes: 30 }, 'title'],
    ['unknown field', { ...recurring, colour: 'red' }, 'colour'],
    ['cron and start/end', { ...recurring, start: '2025-06-02T12:00:00Z', end: '2025-06-02T13:00:00Z' }, 'cron'],
    ['days without time', { ...base, days: [1], timeZone: 'UTC', durationMinutes: 30 }, 'time'],
    ['day out of range', { ...base, days: [7], time: '02:00', timeZone: 'UTC', durationMinutes: 30 }, 'days'],
    ['time out of range', { ...base, days: [1], time: '25:00', timeZone: 'UTC', durationMinutes: 30 }, 'time'],
    ['negative notice', { ...recurring, noticeMinutes: -1 }, 'noticeMinutes'],
    ['no schedule at all', { ...base }, 'start'],
  ];
  for (const [what, body, field] of table) {
    const res = await post(body);
    t.equal(res.statusCode, 400, `${what}: 400`);
    t.match(res.json(), { code: 'IBGW_MAINTENANCE_INVALID', details: { field } }, `${what}: names ${field}`);
  }
  const nowRes = await post({ minutes: 0 }, '/api/v1/maintenance/now');
  t.match(nowRes.json(), { code: 'IBGW_MAINTENANCE_INVALID', details: { field: 'minutes' } }, 'now: zero minutes');
  t.match((await post({ minutes: 10, action: 'nap' }, '/api/v1/maintenance/now')).json(), { details: { field: 'action' } }, 'now: unknown action');
});

t.test('overlaps: 409 naming the window, recurring against one-off included, across zones', async (t) => {
  const { post, app } = await setup(t);
  const daily = (await post({ ...recurring, title: 'daily 03:00 UTC' })).json();
  const oneOff = await post({ ...base, title: 'one-off', start: '2025-06-05T03:15:00Z', end: '2025-06-05T04:00:00Z' });
  t.equal(oneOff.statusCode, 409, 'one-off inside a recurring occurrence');
  t.match(oneOff.json(), { code: 'IBGW_MAINTENANCE_OVERLAP', details: { windowId: daily.id, title: 'daily 03:00 UTC', at: '2025-06-05T03:15:00.000Z' } });

  const touching = await post({ ...base, title: 'touching', start: '2025-06-05T03:30:00Z', end: '2025-06-05T04:00:00Z' });
  t.equal(touching.statusCode, 201, 'touching is not overlapping');
  const weekly = await post({ ...base, title: 'thursdays', days: [4], time: '03:45', timeZone: 'UTC', durationMinutes: 30 });
  t.equal(weekly.statusCode, 409, 'recurring against a one-off');
  t.match(weekly.json(), { details: { windowId: touching.json().id } });

  const zurich = (await post({ ...base, title: 'zurich', cron: '0 2 * * 6', timeZone: 'Europe/Zurich', durationMinutes: 60 })).json();
  // Friday 20:30 in New York (EDT) is Saturday 00:30 UTC = 02:30 in Zurich (CEST).
  const ny = await post({ ...base, title: 'new york', days: [5], time: '20:30', timeZone: 'America/New_York', durationMinutes: 30 });
  t.equal(ny.statusCode, 409, 'recurring against recurring in another zone');
  t.match(ny.json(), { details: { windowId: zurich.id } });

  const put = await app.inject({ method: 'PUT', url: `/api/v1/maintenance/windows/${daily.id}`, headers: auth, payload: { ...recurring, title: 'daily, renamed' } });
  t.equal(put.statusCode, 200, 'a window does not overlap itself');
  const putClash = await app.inject({ method: 'PUT', url: `/api/v1/maintenance/windows/${daily.id}`, headers: auth, payload: { ...recurring, cron: '45 3 * * *' } });
  t.equal(putClash.statusCode, 409, 'a change into another window is refused');
  t.match(putClash.json(), { details: { windowId: touching.json().id } });
});

t.test('CRUD, next without a token, calendar with IBKR resets, now/end, skip, plan', async (t) => {
  const { post, app, h } = await setup(t);
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/maintenance/windows' })).statusCode, 401, 'admin token needed');
  const nextEmpty = await app.inject({ method: 'GET', url: '/api/v1/maintenance/next' });
  t.equal(nextEmpty.statusCode, 200, 'next needs no token');
  t.equal(nextEmpty.body, 'null');
  const created = await post({ ...recurring, title: 'nightly', reason: 'IBKR advises a restart after the reset' });
  t.equal(created.statusCode, 201);
  const w = created.json();
  t.match(w, { title: 'nightly', createdBy: 'admin', action: 'restart', schedule: { kind: 'cron', cron: '0 3 * * *' }, next: { start: '2025-06-03T03:00:00.000Z' } });
  t.match((await app.inject({ method: 'GET', url: '/api/v1/maintenance/next' })).json(), { start: '2025-06-03T03:00:00.000Z', end: '2025-06-03T03:30:00.000Z', action: 'restart', title: 'nightly', active: false });
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/maintenance/windows/nope', headers: auth })).statusCode, 404);

  const cal = (await app.inject({ method: 'GET', url: '/api/v1/maintenance/calendar?days=2', headers: auth })).json().occurrences;
  t.match(cal.filter((o: { source: string }) => o.source === 'ibkr'), [{ kind: 'daily', start: '2025-06-03T03:45:00.000Z' }, { kind: 'daily', start: '2025-06-04T03:45:00.000Z' }], 'IBKR resets marked source ibkr');
  t.match(cal.filter((o: { source: string }) => o.source === 'admin'), [{ windowId: w.id, title: 'nightly', action: 'restart', start: '2025-06-03T03:00:00.000Z' }, { start: '2025-06-04T03:00:00.000Z' }]);
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/maintenance/calendar?days=0', headers: auth })).statusCode, 400);

  const skip = await app.inject({ method: 'POST', url: `/api/v1/maintenance/windows/${w.id}/skip`, headers: auth });
  t.match(skip.json(), { start: '2025-06-03T03:00:00.000Z' });
  t.match((await app.inject({ method: 'GET', url: '/api/v1/maintenance/next' })).json(), { start: '2025-06-04T03:00:00.000Z' }, 'the skipped one is gone');

  const now = await post({ minutes: 20, title: 'hotfix' }, '/api/v1/maintenance/now');
  t.equal(now.statusCode, 201);
  t.match(now.json(), { action: 'quiet', adhoc: true });
  t.match((await app.inject({ method: 'GET', url: '/api/v1/maintenance/status' })).json(), { current: { title: 'hotfix', action: 'quiet' }, next: { title: 'nightly' } });
  t.match((await post({ minutes: 5 }, '/api/v1/maintenance/now')).json(), { code: 'IBGW_MAINTENANCE_BUSY' }, 'one window at a time');
  const end = await app.inject({ method: 'POST', url: '/api/v1/maintenance/end', headers: auth });
  t.equal(end.statusCode, 200);
  await h.settle();
  t.match((await app.inject({ method: 'POST', url: '/api/v1/maintenance/end', headers: auth })).json(), { code: 'IBGW_MAINTENANCE_NOT_ACTIVE' });

  const plan = (await app.inject({ method: 'GET', url: '/api/v1/maintenance/plan', headers: auth })).json();
  t.match(plan, { window: { title: 'nightly', action: 'restart' }, changes: [], lastChange: null });
  t.match((await app.inject({ method: 'POST', url: '/api/v1/maintenance/rollback', headers: auth })).json(), { code: 'IBGW_NO_ROLLBACK_POINT' });
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/gateway/versions', headers: auth })).json().code, 'IBGW_MAINTENANCE_UNAVAILABLE');

  const del = await app.inject({ method: 'DELETE', url: `/api/v1/maintenance/windows/${w.id}`, headers: auth });
  t.match(del.json(), { removed: { id: w.id } });
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/maintenance/windows', headers: auth })).json().windows.length, 0);
  t.ok(h.of('maintenance.window-added').length >= 1 && h.of('maintenance.window-removed').length === 1, 'changes recorded as events');
});
