/**
 * UTC offsets of a named zone from the system's tz database (/usr/share/zoneinfo, RFC 8536
 * TZif files). Why not Intl: the first Intl.DateTimeFormat with a time zone makes V8 load ICU's
 * zone and locale data, ~8 MB of resident memory the daemon then keeps for good — and it asks a
 * zone's offset every time it plans a reset window. The files are also what `date`, cron and
 * systemd timers read, so a window and the host's clock agree on when DST starts. A zone the
 * files do not have (no tzdata package, a name only ICU knows) returns undefined and the caller
 * falls back to Intl.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Offsets in seconds east of UTC. */
interface PosixRule {
  std: number;
  dst?: { offset: number; start: TransitionDate; end: TransitionDate };
}

interface TransitionDate {
  kind: 'M' | 'J' | 'n';
  month: number;
  week: number;
  weekday: number;
  day: number;
  /** Seconds after local midnight; may be negative or past 24 h (RFC 8536 §3.3.1). */
  time: number;
}

export interface Zone {
  /** Seconds east of UTC at an instant in ms. */
  offsetAt(instant: number): number;
}

class TzifZone implements Zone {
  constructor(
    private readonly transitions: number[],
    private readonly typeOfTransition: number[],
    private readonly offsets: number[],
    private readonly initialOffset: number,
    private readonly rule: PosixRule | undefined,
  ) {}

  offsetAt(instant: number): number {
    const t = Math.floor(instant / 1000);
    const n = this.transitions.length;
    if (n === 0 || t >= this.transitions[n - 1]) {
      if (this.rule) return ruleOffset(this.rule, t);
      return n === 0 ? this.initialOffset : this.offsets[this.typeOfTransition[n - 1]];
    }
    if (t < this.transitions[0]) return this.initialOffset;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.transitions[mid] <= t) lo = mid;
      else hi = mid - 1;
    }
    return this.offsets[this.typeOfTransition[lo]];
  }
}

// IANA names only: no path tricks, and not the posix/ and right/ trees (right/ counts leap
// seconds, so its offsets are ~27 s off from what every clock shows).
const ZONE_NAME = /^(?!posix\/|right\/)[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)*$/;
const NOT_ZONES = new Set(['localtime', 'posixrules', 'Factory']);

const zones = new Map<string, Zone | null>();

export function zoneFromDatabase(name: string, dir = process.env.TZDIR || '/usr/share/zoneinfo'): Zone | undefined {
  const key = `${dir}\0${name}`;
  let zone = zones.get(key);
  if (zone === undefined) {
    zone = null;
    if (ZONE_NAME.test(name) && !NOT_ZONES.has(name)) {
      try {
        zone = parseTzif(readFileSync(join(dir, name)));
      } catch {
        zone = null;
      }
    }
    zones.set(key, zone);
  }
  return zone ?? undefined;
}

/** Parses a TZif file (versions 1–4); throws on anything that is not one. */
export function parseTzif(data: Buffer): Zone {
  if (data.length < 44 || data.toString('latin1', 0, 4) !== 'TZif') throw new Error('not a TZif file');
  const version = data[4];
  const header = (at: number) => ({
    isutcnt: data.readUInt32BE(at + 20),
    isstdcnt: data.readUInt32BE(at + 24),
    leapcnt: data.readUInt32BE(at + 28),
    timecnt: data.readUInt32BE(at + 32),
    typecnt: data.readUInt32BE(at + 36),
    charcnt: data.readUInt32BE(at + 40),
  });
  const v1 = header(0);
  const v1Size = v1.timecnt * 5 + v1.typecnt * 6 + v1.charcnt + v1.leapcnt * 8 + v1.isstdcnt + v1.isutcnt;
  const wide = version !== 0;
  const start = wide ? 44 + v1Size : 0;
  if (wide && data.toString('latin1', start, start + 4) !== 'TZif') throw new Error('TZif: no second header');
  const h = wide ? header(start) : v1;
  const timeSize = wide ? 8 : 4;
  let p = start + 44;
  const end = p + h.timecnt * (timeSize + 1) + h.typecnt * 6 + h.charcnt + h.leapcnt * (timeSize + 4) + h.isstdcnt + h.isutcnt;
  if (h.typecnt === 0 || end > data.length) throw new Error('TZif: truncated');
  if (h.leapcnt !== 0) throw new Error('TZif: leap-second zone');
  const transitions: number[] = [];
  for (let i = 0; i < h.timecnt; i++, p += timeSize) {
    transitions.push(wide ? Number(data.readBigInt64BE(p)) : data.readInt32BE(p));
  }
  const typeOfTransition: number[] = [];
  for (let i = 0; i < h.timecnt; i++, p++) {
    if (data[p] >= h.typecnt) throw new Error('TZif: bad type index');
    typeOfTransition.push(data[p]);
  }
  const offsets: number[] = [];
  for (let i = 0; i < h.typecnt; i++, p += 6) offsets.push(data.readInt32BE(p));
  let rule: PosixRule | undefined;
  if (wide) {
    const footer = data.toString('latin1', end);
    const m = /^\n([^\n]*)\n/.exec(footer);
    if (m && m[1] !== '') rule = parsePosixTz(m[1]);
  }
  // RFC 8536: time type 0 is the one before the first transition.
  return new TzifZone(transitions, typeOfTransition, offsets, offsets[0], rule);
}

/** A POSIX TZ string such as `EST5EDT,M3.2.0,M11.1.0` or `<+0545>-5:45`. */
export function parsePosixTz(text: string): PosixRule {
  let i = 0;
  const name = (): void => {
    if (text[i] === '<') {
      const close = text.indexOf('>', i);
      if (close < 0) throw new Error(`TZ string: unclosed <: ${text}`);
      i = close + 1;
      return;
    }
    const from = i;
    while (i < text.length && /[A-Za-z]/.test(text[i])) i++;
    if (i - from < 3) throw new Error(`TZ string: bad zone name: ${text}`);
  };
  const hms = (): number => {
    let sign = 1;
    if (text[i] === '+' || text[i] === '-') sign = text[i++] === '-' ? -1 : 1;
    const m = /^(\d{1,3})(?::(\d{1,2}))?(?::(\d{1,2}))?/.exec(text.slice(i));
    if (!m) throw new Error(`TZ string: bad time: ${text}`);
    i += m[0].length;
    return sign * (Number(m[1]) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0));
  };
  const date = (): TransitionDate => {
    let d: TransitionDate;
    const rest = text.slice(i);
    let m: RegExpExecArray | null;
    if ((m = /^M(\d{1,2})\.(\d)\.(\d)/.exec(rest))) d = { kind: 'M', month: Number(m[1]), week: Number(m[2]), weekday: Number(m[3]), day: 0, time: 7200 };
    else if ((m = /^J(\d{1,3})/.exec(rest))) d = { kind: 'J', month: 0, week: 0, weekday: 0, day: Number(m[1]), time: 7200 };
    else if ((m = /^(\d{1,3})/.exec(rest))) d = { kind: 'n', month: 0, week: 0, weekday: 0, day: Number(m[1]), time: 7200 };
    else throw new Error(`TZ string: bad rule date: ${text}`);
    i += m[0].length;
    if (text[i] === '/') {
      i++;
      d.time = hms();
    }
    return d;
  };
  name();
  // POSIX offsets are west of UTC ("EST5" is UTC-5); ours are east.
  const std = -hms();
  if (i === text.length) return { std };
  name();
  let dstOffset = std + 3600;
  if (i < text.length && text[i] !== ',') dstOffset = -hms();
  if (text[i] !== ',') {
    if (i === text.length) throw new Error(`TZ string: DST without rules: ${text}`);
    throw new Error(`TZ string: unexpected ${JSON.stringify(text.slice(i))}: ${text}`);
  }
  i++;
  const startDate = date();
  if (text[i++] !== ',') throw new Error(`TZ string: missing end rule: ${text}`);
  const endDate = date();
  if (i !== text.length) throw new Error(`TZ string: trailing ${JSON.stringify(text.slice(i))}: ${text}`);
  return { std, dst: { offset: dstOffset, start: startDate, end: endDate } };
}

const DAY = 86_400;

/** Seconds from the epoch to local midnight of the rule's day in `year` (as if UTC). */
function ruleDay(d: TransitionDate, year: number): number {
  const jan1 = Date.UTC(year, 0, 1) / 1000;
  if (d.kind === 'J') {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    // Jn counts 1..365 and never a 29 February.
    return jan1 + (d.day - 1 + (leap && d.day >= 60 ? 1 : 0)) * DAY;
  }
  if (d.kind === 'n') return jan1 + d.day * DAY;
  const first = Date.UTC(year, d.month - 1, 1) / 1000;
  const firstWeekday = new Date(first * 1000).getUTCDay();
  let day = 1 + ((d.weekday - firstWeekday + 7) % 7) + (d.week - 1) * 7;
  const daysInMonth = new Date(Date.UTC(year, d.month, 0)).getUTCDate();
  // Week 5 means "the last such weekday of the month".
  while (day > daysInMonth) day -= 7;
  return first + (day - 1) * DAY;
}

function ruleOffset(rule: PosixRule, t: number): number {
  const dst = rule.dst;
  if (!dst) return rule.std;
  const year = new Date((t + rule.std) * 1000).getUTCFullYear();
  // The start is given in standard time, the end in daylight time.
  const start = ruleDay(dst.start, year) + dst.start.time - rule.std;
  const end = ruleDay(dst.end, year) + dst.end.time - dst.offset;
  const inDst = start < end ? t >= start && t < end : !(t >= end && t < start);
  return inDst ? dst.offset : rule.std;
}
