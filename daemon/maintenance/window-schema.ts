/**
 * The API's shape of a maintenance window, as TypeBox schemas: Fastify validates bodies with
 * them and they document the routes. Flat on purpose — one-off windows give start and end,
 * recurring ones cron or days + time, both with timeZone and durationMinutes — so every
 * problem names one field. What a schema cannot say (end after start, a zone or cron that
 * does not exist, overlaps) is checked in window-rules.ts.
 */
import { Type, type Static } from '@sinclair/typebox';
import { WINDOW_ACTIONS, type WindowAction } from './window-types.js';

// A plain enum, not a union of literals: ajv then reports "must be equal to one of the
// allowed values" for the field instead of one error per literal.
export const WindowActionSchema = Type.Unsafe<WindowAction>({ type: 'string', enum: [...WINDOW_ACTIONS] });

export const WindowInputSchema = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 200 }),
  reason: Type.Optional(Type.String({ maxLength: 1000 })),
  action: WindowActionSchema,
  start: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'one-off: ISO 8601 with offset, or a wall time with timeZone' })),
  end: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  cron: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'recurring: a cron expression (croner), in timeZone' })),
  days: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), { minItems: 1, maxItems: 7, uniqueItems: true, description: 'recurring: 0 = Sunday .. 6 = Saturday' })),
  time: Type.Optional(Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'recurring with days: HH:MM in timeZone' })),
  timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. America/New_York' })),
  durationMinutes: Type.Optional(Type.Integer({ description: 'recurring: length of each occurrence' })),
  runIfMissed: Type.Optional(Type.Boolean()),
  noticeMinutes: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 10080 }), Type.Null()])),
}, { additionalProperties: false });
export type WindowInput = Static<typeof WindowInputSchema>;

export const NowInputSchema = Type.Object({
  minutes: Type.Integer({ description: 'length of the window from now' }),
  action: Type.Optional(WindowActionSchema),
  title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  reason: Type.Optional(Type.String({ maxLength: 1000 })),
}, { additionalProperties: false });
export type NowInput = Static<typeof NowInputSchema>;

const nullableString = Type.Union([Type.String(), Type.Null()]);

export const WindowSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  reason: Type.String(),
  createdBy: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  action: Type.String(),
  runIfMissed: Type.Boolean(),
  noticeMinutes: Type.Union([Type.Integer(), Type.Null()]),
  schedule: Type.Object({}, { additionalProperties: true }),
  adhoc: Type.Optional(Type.Boolean()),
  next: Type.Optional(Type.Union([Type.Object({ start: Type.String(), end: Type.String() }), Type.Null()])),
});

export const OccurrenceSchema = Type.Object({
  source: Type.String(),
  kind: Type.String(),
  id: Type.String(),
  start: Type.String(),
  end: Type.String(),
  reason: Type.String(),
  windowId: Type.Optional(Type.String()),
  title: Type.Optional(Type.String()),
  action: Type.Optional(Type.String()),
});

export const NextSchema = Type.Union([
  Type.Null(),
  Type.Object({ start: Type.String(), end: Type.String(), action: Type.String(), title: Type.String(), active: Type.Boolean(), windowId: Type.String() }),
]);

export const PendingSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  summary: Type.String(),
  createdAt: Type.String(),
  createdBy: Type.String(),
  diff: Type.Optional(nullableString),
}, { additionalProperties: true });
