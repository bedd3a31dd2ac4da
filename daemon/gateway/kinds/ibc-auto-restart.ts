/**
 * IBC's AutoRestartTime from the maintenance calendar. IB Gateway insists on a daily restart;
 * done by IBC at AutoRestartTime it needs no second factor. Putting it at the start of IBKR's
 * daily reset window keeps the outage inside the window the session keeper already treats as
 * quiet (nothing escalates, no login). IBC reads `hh:mm AM|PM` in the host's local time, so the
 * window's start (in the region's zone) is converted; the conversion is redone at every launch,
 * which keeps it right across daylight-saving changes of either zone.
 */
import type { IbcConfig, SessionConfig } from '../../config/types.js';
import { IbkrResetSource } from '../../maintenance/ibkr-resets.js';

export function formatAmPm(date: Date): string {
  const h = date.getHours();
  const hour12 = h % 12 === 0 ? 12 : h % 12;
  return `${String(hour12).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')} ${h < 12 ? 'AM' : 'PM'}`;
}

/** The next daily reset window's start, or null when the calendar has no daily window. */
export function nextDailyResetStart(resets: SessionConfig['resets'], now: number): number | null {
  if (!resets.daily) return null;
  const source = new IbkrResetSource({ region: resets.region, daily: resets.daily, weekly: null });
  const windows = source.windowsBetween(now, now + 2 * 86_400_000).filter((w) => w.kind === 'daily' && w.start >= now);
  return windows.length > 0 ? Math.min(...windows.map((w) => w.start)) : null;
}

/** The value for config.ini's AutoRestartTime; null leaves the gateway's own setting. */
export function autoRestartTime(ibc: IbcConfig, resets: SessionConfig['resets'], now: number): string | null {
  if (ibc.autoRestart === 'off') return null;
  if (ibc.autoRestart !== 'auto') return ibc.autoRestart;
  const start = nextDailyResetStart(resets, now);
  return start === null ? null : formatAmPm(new Date(start));
}
