/**
 * The system tz database against Node's ICU: the same offsets, zone by zone, from 1990 to 2060
 * (past the last stored transition, where the POSIX rule in the file's footer takes over), and
 * the daemon computes windows without Intl at all.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parsePosixTz, parseTzif, zoneFromDatabase } from '../../daemon/time/tz-database.js';
import { wallTimeAt, wallTimeFromIntl, zoneOffsetAt } from '../../daemon/time/zoned-time.js';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const DB = '/usr/share/zoneinfo';
const hasDb = existsSync(join(DB, 'America/New_York'));

// IBKR's regions, both hemispheres, half- and quarter-hour offsets, a 30-minute DST, zones that
// dropped or changed DST, one with a negative-time rule in its footer, a skipped calendar day.
const ZONES = [
  'America/New_York', 'America/Chicago', 'Europe/Zurich', 'Europe/London', 'Europe/Dublin', 'Asia/Hong_Kong',
  'Asia/Tokyo', 'Asia/Kolkata', 'Asia/Kathmandu', 'Australia/Sydney', 'Australia/Lord_Howe', 'Pacific/Auckland',
  'Pacific/Chatham', 'America/Sao_Paulo', 'America/Santiago', 'Asia/Tehran', 'Europe/Moscow', 'Africa/Cairo',
  'America/Nuuk', 'America/Havana', 'Pacific/Apia', 'America/St_Johns', 'UTC', 'Etc/GMT+5',
];

function intlOffset(instant: number, zone: string): number {
  const w = wallTimeFromIntl(instant, zone);
  return (Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(instant / 1000) * 1000) / 1000;
}

t.test('offsets agree with ICU for every sample, 1990-2060', { skip: !hasDb && 'no tz database on this machine' }, async (t) => {
  const HOUR = 3_600_000;
  for (const name of ZONES) {
    const zone = zoneFromDatabase(name);
    if (!zone) {
      t.fail(`${name}: not in the database`);
      continue;
    }
    let mismatch = '';
    let samples = 0;
    // Every ~2 days and 7 hours, so samples fall at every hour of the day over the years.
    for (let at = Date.UTC(1990, 0, 1); at < Date.UTC(2060, 0, 1) && !mismatch; at += 55 * HOUR + 61_000) {
      samples++;
      const ours = zone.offsetAt(at);
      const icu = intlOffset(at, name);
      if (ours !== icu) mismatch = `${new Date(at).toISOString()}: ${ours} s vs ICU ${icu} s`;
    }
    t.equal(mismatch, '', `${name}: ${samples} samples`);
  }
});

t.test('at the second of each DST change, 2024-2050', { skip: !hasDb && 'no tz database on this machine' }, async (t) => {
  for (const name of ['America/New_York', 'Europe/Zurich', 'Australia/Sydney', 'Australia/Lord_Howe', 'America/Nuuk']) {
    let changes = 0;
    let mismatch = '';
    // Walk in 6-hour steps (a zone's changes are months apart, so none falls between two looks
    // unseen); where the offset changes, bisect to the second and check both sides.
    const STEP = 6 * 3_600_000;
    let before = intlOffset(Date.UTC(2024, 0, 1), name);
    for (let at = Date.UTC(2024, 0, 1); at < Date.UTC(2050, 0, 1); at += STEP) {
      const after = intlOffset(at + STEP, name);
      const changed = after !== before;
      before = after;
      if (!changed) continue;
      let lo = at;
      let hi = at + STEP;
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (intlOffset(mid, name) === intlOffset(lo, name)) lo = mid;
        else hi = mid;
      }
      changes++;
      for (const s of [lo, hi]) {
        if (zoneOffsetAt(s, name) / 1000 !== intlOffset(s, name)) mismatch ||= `${new Date(s).toISOString()}`;
      }
    }
    t.ok(changes >= 40, `${name}: ${changes} changes`);
    t.equal(mismatch, '', `${name}: the same on both sides of each change`);
  }
});

t.test('POSIX TZ strings (the footer rule for years past the stored transitions)', async (t) => {
  t.same(parsePosixTz('EST5EDT,M3.2.0,M11.1.0'), {
    std: -18000,
    dst: { offset: -14400, start: { kind: 'M', month: 3, week: 2, weekday: 0, day: 0, time: 7200 }, end: { kind: 'M', month: 11, week: 1, weekday: 0, day: 0, time: 7200 } },
  });
  t.same(parsePosixTz('<+0545>-5:45'), { std: 20700 });
  t.same(parsePosixTz('<+1030>-10:30<+11>-11,M10.1.0,M4.1.0').dst?.offset, 39600, 'Lord Howe: a 30-minute DST');
  t.same(parsePosixTz('<-02>2<-01>,M3.5.0/-1,M10.5.0/0').dst?.start.time, -3600, 'Nuuk: a negative transition time');
  t.same(parsePosixTz('IST-1GMT0,M10.5.0,M3.5.0/1').dst?.offset, 0, 'Dublin: "daylight" time in winter');
  t.same(parsePosixTz('EST5EDT,J60/2,300').dst?.start, { kind: 'J', month: 0, week: 0, weekday: 0, day: 60, time: 7200 });
  for (const bad of ['', 'E5', 'EST', 'EST5EDT', 'EST5EDT,M3.2.0', 'EST5EDT,M3.2.0,M11.1.0x', '<+05']) {
    t.throws(() => parsePosixTz(bad), { message: /TZ string/ }, JSON.stringify(bad));
  }
  // A file with no transitions left: only its rule. New York's rule gives New York's offsets.
  const rule = Buffer.from('\nEST5EDT,M3.2.0,M11.1.0\n', 'latin1');
  const header = (version: number): Buffer => {
    const h = Buffer.alloc(44);
    h.write('TZif', 0, 'latin1');
    h[4] = version;
    h.writeUInt32BE(1, 36); // typecnt
    h.writeUInt32BE(4, 40); // charcnt
    return h;
  };
  const type = Buffer.from([0xff, 0xff, 0xb9, 0xb0, 0, 0, 0x45, 0x53, 0x54, 0]); // -18000, not DST, abbreviation 0; "EST\0"
  const file = Buffer.concat([header(0x32), type, header(0x32), type, rule]);
  const zone = parseTzif(file);
  t.equal(zone.offsetAt(Date.UTC(2031, 0, 15)), -18000, 'January: EST');
  t.equal(zone.offsetAt(Date.UTC(2031, 6, 15)), -14400, 'July: EDT');
  t.equal(zone.offsetAt(Date.parse('2031-03-09T06:59:59Z')), -18000, 'a second before 02:00 EST on the second Sunday of March');
  t.equal(zone.offsetAt(Date.parse('2031-03-09T07:00:00Z')), -14400, 'at it');
  t.equal(zone.offsetAt(Date.parse('2031-11-02T05:59:59Z')), -14400, 'a second before 02:00 EDT on the first Sunday of November');
  t.equal(zone.offsetAt(Date.parse('2031-11-02T06:00:00Z')), -18000);
  t.throws(() => parseTzif(Buffer.from('not a zone file at all, but long enough to have a header')), /not a TZif file/);
  t.throws(() => parseTzif(file.subarray(0, 50)), /TZif/);
});

t.test('names: IANA names only; the right/ tree, paths and non-zone files fall back to Intl', async (t) => {
  for (const name of ['../../etc/passwd', '/etc/localtime', 'right/America/New_York', 'posix/America/New_York', 'localtime', 'zone.tab', 'America/Nowhere', '']) {
    t.equal(zoneFromDatabase(name), undefined, JSON.stringify(name));
  }
  const dir = tempDir(t);
  mkdirSync(join(dir, 'America'));
  t.equal(zoneFromDatabase('America/New_York', dir), undefined, 'a database without the zone');
  if (hasDb) {
    const other = tempDir(t);
    mkdirSync(join(other, 'America'));
    writeFileSync(join(other, 'America', 'New_York'), readFileSync(join(DB, 'America/New_York')));
    t.ok(zoneFromDatabase('America/New_York', other), 'TZDIR-style other folder');
    // A name ICU knows in any case but the database spells exactly: Intl answers it.
    t.same(wallTimeAt(Date.UTC(2026, 0, 15, 12), 'america/new_york'), wallTimeAt(Date.UTC(2026, 0, 15, 12), 'America/New_York'), 'the Intl fallback gives the same wall time');
  }
});

// The built modules (npm test builds first): a plain node child has no TypeScript loader.
t.test('windows are planned without Intl: ICU data is never loaded by the daemon for them', { skip: !hasDb && 'no tz database on this machine' }, async (t) => {
  const occurrences = new URL('../../dist/daemon/maintenance/occurrences.js', import.meta.url).href;
  const resets = new URL('../../dist/daemon/maintenance/ibkr-resets.js', import.meta.url).href;
  const rules = new URL('../../dist/daemon/maintenance/window-rules.js', import.meta.url).href;
  const script = `
    const trap = (what) => function () { throw new Error(what + ' called'); };
    Intl.DateTimeFormat = trap('Intl.DateTimeFormat');
    Date.prototype.toLocaleString = trap('toLocaleString');
    Date.prototype.toLocaleDateString = trap('toLocaleDateString');
    Date.prototype.toLocaleTimeString = trap('toLocaleTimeString');
    const { startsBetween } = await import(${JSON.stringify(occurrences)});
    const { IbkrResetSource } = await import(${JSON.stringify(resets)});
    const { scheduleOf } = await import(${JSON.stringify(rules)});
    const checked = scheduleOf({ title: 'w', action: 'quiet', cron: '0 2 * * 0', timeZone: 'Europe/Zurich', durationMinutes: 30 }, { now: Date.UTC(2025, 2, 1), maxMinutes: 600 });
    const from = Date.UTC(2025, 2, 22), to = Date.UTC(2025, 3, 7);
    const cron = startsBetween({ kind: 'cron', cron: '0 2 * * 0', timeZone: 'Europe/Zurich', durationMinutes: 30 }, from, to).map((t) => new Date(t).toISOString());
    const src = new IbkrResetSource({ region: 'north-america', daily: { start: '23:45', durationMin: 90 }, weekly: null });
    const daily = src.windowsBetween(Date.UTC(2024, 0, 15), Date.UTC(2024, 0, 16)).map((w) => new Date(w.start).toISOString());
    console.log(JSON.stringify({ cron, daily, checked: checked.kind }));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env } });
  const out = JSON.parse(stdout) as { cron: string[]; daily: string[] };
  t.same(out.cron, ['2025-03-23T01:00:00.000Z', '2025-03-30T01:00:00.000Z', '2025-04-06T00:00:00.000Z'], 'cron starts across the DST change, with Intl trapped');
  t.equal((out as { checked?: string }).checked, 'cron', 'a new cron window checked (zone, pattern, gaps)');
  t.ok(out.daily.includes('2024-01-15T04:45:00.000Z'), 'IBKR\'s daily reset at 23:45 New York time');
});
