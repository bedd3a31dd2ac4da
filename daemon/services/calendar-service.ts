import type { DaemonContext } from '../lifecycle/daemon-context.js';
import type { ConfigUpdate, Service } from '../lifecycle/service.js';
import { IbkrResetSource, MaintenanceCalendar } from '../maintenance/index.js';
import { MaintenanceNotices } from '../maintenance/notices.js';

/**
 * One calendar of maintenance windows: IBKR's own resets, and the admin's windows as they join.
 * Announces each window ahead of time (maintenance.upcoming) for apps on the live stream.
 */
export class CalendarService implements Service {
  readonly name = 'calendar';
  readonly dependsOn = [];
  readonly calendar: MaintenanceCalendar;
  readonly #notices: MaintenanceNotices;

  constructor(ctx: DaemonContext) {
    this.calendar = new MaintenanceCalendar([new IbkrResetSource(ctx.config().session.resets)]);
    // IBKR's resets only: an operator's windows are announced by their own scheduler (with their own lead).
    this.#notices = new MaintenanceNotices({ calendar: this.calendar, onEvent: ctx.record, sources: ['ibkr-reset'] });
  }

  async start(): Promise<void> {
    this.#notices.start();
  }

  async stop(): Promise<void> {
    this.#notices.stop();
  }

  async reconfigure({ next }: ConfigUpdate): Promise<void> {
    this.calendar.addSource(new IbkrResetSource(next.session.resets));
    this.#notices.rearm();
  }
}
