import type { DaemonContext } from '../lifecycle/daemon-context.js';
import type { ConfigUpdate, Service } from '../lifecycle/service.js';
import { IbkrResetSource, MaintenanceCalendar } from '../maintenance/index.js';

/** One calendar of maintenance windows: IBKR's own resets, and the admin's windows as they join. */
export class CalendarService implements Service {
  readonly name = 'calendar';
  readonly dependsOn = [];
  readonly calendar: MaintenanceCalendar;

  constructor(ctx: DaemonContext) {
    this.calendar = new MaintenanceCalendar([new IbkrResetSource(ctx.config().session.resets)]);
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  async reconfigure({ next }: ConfigUpdate): Promise<void> {
    this.calendar.addSource(new IbkrResetSource(next.session.resets));
  }
}
