/**
 * Maintenance windows an operator schedules: what they are once validated and stored. The
 * API's input shape (flat, one field per fact, so an error can name the field) lives in
 * window-schema.ts; window-rules.ts turns one into the other.
 */

export const WINDOW_ACTIONS = ['restart', 'stop', 'quiet', 'apply', 'update'] as const;
export type WindowAction = (typeof WINDOW_ACTIONS)[number];

/** Actions that happen once at the start; stop and quiet are states that last the window. */
export const ONE_SHOT_ACTIONS: readonly WindowAction[] = ['restart', 'apply', 'update'];

export type WindowSchedule =
  /** ISO instants, offsets included (a wall time given with a zone is converted on input). */
  | { kind: 'once'; start: string; end: string }
  | { kind: 'cron'; cron: string; timeZone: string; durationMinutes: number }
  /** days: 0 = Sunday .. 6 = Saturday; time HH:MM in timeZone. */
  | { kind: 'weekly'; days: number[]; time: string; timeZone: string; durationMinutes: number };

export interface AdminWindow {
  id: string;
  title: string;
  reason: string;
  /** Name of the token that created it ('admin' while there is one admin token). */
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  action: WindowAction;
  /** Run a one-shot action whose start the daemon missed (it was down) late, at the next start. */
  runIfMissed: boolean;
  /** Minutes of notice before each occurrence; null: maintenance.noticeLeadMinutes. 0: none. */
  noticeMinutes: number | null;
  schedule: WindowSchedule;
  /** Made by "maintenance now": removed once it ended. */
  adhoc?: boolean;
}

/** One occurrence of a window: epoch ms, start inclusive, end exclusive. */
export interface Occurrence {
  window: AdminWindow;
  start: number;
  end: number;
}

/** Stable name of an occurrence, for notices, overrides and events. */
export const occurrenceKey = (windowId: string, start: number): string => `${windowId}@${new Date(start).toISOString()}`;
