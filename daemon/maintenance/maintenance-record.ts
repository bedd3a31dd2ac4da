/**
 * The `maintenance` section of the daemon's store (state.json): the windows, what happened to
 * single occurrences, and where the scheduler stands — everything a restarted daemon needs to
 * resume a window or to tell that it missed one. No secrets here: pending changes (which may
 * carry conf text) live in their own 0600 file.
 */
import type { AdminWindow, WindowAction } from './window-types.js';

export interface OccurrenceOverride {
  windowId: string;
  /** Epoch ms of the occurrence's start. */
  start: number;
  skipped?: boolean;
  /** "end now": the occurrence ended here instead of at its scheduled end. */
  endedAt?: number;
}

export type ActivePhase = 'acting' | 'holding' | 'done';

/** The occurrence the scheduler is inside. */
export interface ActiveOccurrence {
  windowId: string;
  title: string;
  action: WindowAction;
  start: number;
  end: number;
  /** The gateway was starting or running when the window began (a stop window restarts only such a one). */
  wasRunning: boolean;
  /** acting: the action (and its health gate) is under way; holding: the window's state lasts; done. */
  phase: ActivePhase;
  /** Entered after its start because the daemon was down then. */
  late: boolean;
  /** Why the action did not run (a missed start without runIfMissed). */
  actionSkipped?: string;
}

export interface MaintenanceRecord {
  windows: AdminWindow[];
  overrides: OccurrenceOverride[];
  active: ActiveOccurrence | null;
  /** Every occurrence starting at or before this instant was handled (run, skipped or reported missed). */
  checkedUntil: number | null;
  /** Occurrences whose notice went out (occurrenceKey), newest last, bounded. */
  noticed: string[];
}

export function emptyMaintenanceRecord(): MaintenanceRecord {
  return { windows: [], overrides: [], active: null, checkedUntil: null, noticed: [] };
}

/** What the maintenance services need from the store: read the section, change it, persist. */
export interface MaintenanceStore {
  maintenance(): MaintenanceRecord;
  updateMaintenance(change: (record: MaintenanceRecord) => void): void;
  flush(): Promise<void>;
}
