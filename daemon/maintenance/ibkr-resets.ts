/**
 * IBKR's own daily reset and weekend maintenance as a window source. During them the gateway
 * answers 5xx, drops the brokerage session or never answers; logging in again then is what
 * locked IBeam users' accounts. IBKR's documents disagree on the times (midnight or ~01:00,
 * "Saturday evening"), so every time is configuration, in the region's local time.
 */
import type { MaintenanceWindow, WindowSource } from './calendar.js';
import { addDays, instantOfWallTime, parseClock, wallTimeAt } from '../time/zoned-time.js';

export type IbkrRegion = 'north-america' | 'europe' | 'asia';

/** The servers each region's accounts live on reset in these zones (IBKR: New York, Zug, Hong Kong). */
export const REGION_TIME_ZONES: Record<IbkrRegion, string> = {
  'north-america': 'America/New_York',
  europe: 'Europe/Zurich',
  asia: 'Asia/Hong_Kong',
};

export interface DailyReset { start: string; durationMin: number; timeZone?: string }
export interface WeeklyReset extends DailyReset { /** 0 = Sunday .. 6 = Saturday */ day: number }

export interface IbkrResetsOptions {
  region: IbkrRegion;
  daily: DailyReset | null;
  weekly: WeeklyReset | null;
}

interface Rule { kind: 'daily' | 'weekly'; hour: number; minute: number; durationMs: number; timeZone: string; day: number | null }

export class IbkrResetSource implements WindowSource {
  readonly name = 'ibkr-reset';
  readonly #rules: Rule[] = [];

  constructor(options: IbkrResetsOptions) {
    const zoneOf = (r: DailyReset): string => r.timeZone ?? REGION_TIME_ZONES[options.region];
    if (options.daily) this.#rules.push(rule('daily', options.daily, zoneOf(options.daily), null));
    if (options.weekly) {
      if (!Number.isInteger(options.weekly.day) || options.weekly.day < 0 || options.weekly.day > 6) {
        throw new RangeError(`weekly reset day must be 0..6, got ${options.weekly.day}`);
      }
      this.#rules.push(rule('weekly', options.weekly, zoneOf(options.weekly), options.weekly.day));
    }
  }

  windowsBetween(from: number, to: number): MaintenanceWindow[] {
    const out: MaintenanceWindow[] = [];
    for (const r of this.#rules) {
      // Walk local calendar dates: a window that started the day before (23:45 + 90 min)
      // still covers `from`, so start one window length plus a day early.
      const first = wallTimeAt(from - r.durationMs - 86_400_000, r.timeZone);
      const last = wallTimeAt(to + 86_400_000, r.timeZone);
      const lastKey = last.year * 10_000 + last.month * 100 + last.day;
      for (let i = 0; ; i++) {
        const d = addDays(first.year, first.month, first.day, i);
        if (d.year * 10_000 + d.month * 100 + d.day > lastKey) break;
        if (r.day !== null && d.weekday !== r.day) continue;
        const start = instantOfWallTime(d.year, d.month, d.day, r.hour, r.minute, r.timeZone);
        const end = start + r.durationMs;
        if (end <= from || start >= to) continue;
        out.push({
          id: `ibkr-reset:${r.kind}:${new Date(start).toISOString()}`,
          source: this.name,
          kind: r.kind,
          start,
          end,
          reason: `IBKR ${r.kind} reset ${pad(r.hour)}:${pad(r.minute)} ${r.timeZone} for ${r.durationMs / 60_000} min`,
        });
      }
    }
    return out;
  }
}

function rule(kind: 'daily' | 'weekly', r: DailyReset, timeZone: string, day: number | null): Rule {
  const { hour, minute } = parseClock(r.start);
  if (!(r.durationMin > 0)) throw new RangeError(`${kind} reset durationMin must be > 0`);
  wallTimeAt(0, timeZone); // RangeError now for an unknown zone, not at the first tickle
  return { kind, hour, minute, durationMs: r.durationMin * 60_000, timeZone, day };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
