/**
 * The `maintenance` section of the daemon config, as a TypeBox schema: daemon/config/schema.ts
 * embeds it (ajv validates the merged config) and the type comes from the same source.
 * Defaults live in config/default.yaml like every other key.
 */
import { Type, type Static } from '@sinclair/typebox';

const int = (minimum: number, maximum?: number) => Type.Integer(maximum === undefined ? { minimum } : { minimum, maximum });

export const MaintenanceConfigSchema = Type.Object({
  /** Notice this many minutes before each window (a window's noticeMinutes wins). 0: none. */
  noticeLeadMinutes: int(0, 10080),
  /** The longest window, one-off or one occurrence of a recurring one. */
  maxWindowMinutes: int(1, 20160),
  /** How far ahead recurring windows are compared for overlaps. */
  overlapHorizonDays: int(1, 3660),
  healthGate: Type.Object({
    /** After apply/update (and a restart with pending changes) the gateway must be ready — and,
     *  with credentials stored, the session authenticated — within this time. */
    timeoutMs: int(1000),
    /** ...and stay so this long: a gateway that comes up and dies a second later failed. */
    stableMs: int(0),
    pollMs: int(10),
  }, { additionalProperties: false }),
  versions: Type.Object({
    /** Installed gateway distributions kept (the active one and its predecessor always are). */
    keep: int(1, 50),
  }, { additionalProperties: false }),
  updateCheck: Type.Object({
    /** A download URL polled with conditional requests; null: off. */
    url: Type.Union([Type.Null(), Type.String({ pattern: '^https?://' })]),
    intervalMinutes: int(5),
    timeoutMs: int(1000),
  }, { additionalProperties: false }),
}, { additionalProperties: false });

export type MaintenanceConfig = Static<typeof MaintenanceConfigSchema>;
