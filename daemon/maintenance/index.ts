export { MaintenanceCalendar } from './calendar.js';
export type { MaintenanceWindow, WindowSource, CalendarWindow, WindowCalendar, CalendarOptions } from './calendar.js';
export { IbkrResetSource, REGION_TIME_ZONES } from './ibkr-resets.js';
export type { IbkrRegion, IbkrResetsOptions, DailyReset, WeeklyReset } from './ibkr-resets.js';
export { wallTimeAt, instantOfWallTime, zoneOffsetAt, assertTimeZone } from './zoned-time.js';
export type { WallTime } from './zoned-time.js';
