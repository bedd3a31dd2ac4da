/**
 * IBKR ends every brokerage login once a day (around 01:00 New York / Zug / Hong Kong time,
 * depending on the user's region), whatever the idle and 24 h limits say. The instant is
 * computed in the configured zone so daylight-saving changes move it like they move IBKR's.
 */
import { Cron } from 'croner';

export function nextDailyReset(reset: { time: string; timeZone: string } | null, after: number): number | null {
  if (!reset) return null;
  const [hours, minutes] = reset.time.split(':').map(Number);
  const cron = new Cron(`${minutes} ${hours} * * *`, { timezone: reset.timeZone });
  const next = cron.nextRun(new Date(after));
  cron.stop();
  return next ? next.getTime() : null;
}
