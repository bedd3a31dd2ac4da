/** JSON schemas shared by routes: one schema validates input and shapes output. */
import { SUPERVISOR_STATES } from '../supervisor/state-machine.js';
export const errorSchema = {
  type: 'object',
  properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object', additionalProperties: true } },
  required: ['code', 'message'],
} as const;

export const errorResponses = {
  400: errorSchema,
  401: errorSchema,
  404: errorSchema,
  409: errorSchema,
  429: errorSchema,
} as const;

export const nullableNumber = { type: ['number', 'null'] } as const;
export const nullableString = { type: ['string', 'null'] } as const;

export const gatewayStatusSchema = {
  type: 'object',
  properties: {
    state: { type: 'string', enum: SUPERVISOR_STATES },
    pid: { type: ['integer', 'null'] },
    since: nullableString,
    restartsSinceStart: {
      type: 'integer',
      description: 'Gateway restarts since this daemon started: automatic (after a crash or failed start) and planned (operator, memory limit, session recovery, config change). Not the first start, nor a start after a stop.',
    },
    lastExit: {
      anyOf: [
        { type: 'null' },
        {
          type: 'object',
          properties: { code: { type: ['integer', 'null'] }, signal: nullableString, at: nullableString, reason: nullableString },
        },
      ],
    },
    cpu: nullableNumber,
    memory: nullableNumber,
    reason: nullableString,
    droppedLines: { type: 'integer' },
    startedAt: nullableString,
    readyAt: nullableString,
  },
  required: ['state', 'pid', 'since', 'restartsSinceStart', 'lastExit', 'cpu', 'memory'],
} as const;
