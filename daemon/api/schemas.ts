/** JSON schemas shared by routes: one schema validates input and shapes output. */
import { SUPERVISOR_STATES } from '../supervisor/state-machine.js';
export const errorSchema = {
  type: 'object',
  description: 'An error from the catalog (daemon/errors.ts): match on `code`, never on `message`.',
  properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object', additionalProperties: true } },
  required: ['code', 'message'],
} as const;

/** What any route may answer besides its success: bad input, tokens, unknown ids, conflicts, body limits, lockouts. */
export const errorResponses = {
  400: errorSchema,
  401: errorSchema,
  403: errorSchema,
  404: errorSchema,
  409: errorSchema,
  413: errorSchema,
  415: errorSchema,
  429: errorSchema,
} as const;

/**
 * Routes that reach IBKR through the gateway: it may be down, unauthenticated, in maintenance or
 * in the penalty box (503), or IBKR itself may fail (502, 504). The 502 and 504 are part of the
 * contract, not accidents: a proxy that turned IBKR's failure into a 503 would tell apps to wait
 * for the daemon when nothing on this side is wrong.
 */
export const gatewayErrorResponses = {
  ...errorResponses,
  502: { ...errorSchema, description: 'IBKR\'s failure handed on: IBGW_IBKR_UPSTREAM (the gateway answered 5xx; details.upstreamStatus, details.upstreamBody), IBGW_GATEWAY_NETWORK (the connection to the gateway failed), IBGW_IBKR_TOO_LARGE (an answer over the size limit)' },
  503: { ...errorSchema, description: 'Not now, with Retry-After and details.reason: the gateway is down, the session logged out, IBKR in maintenance or its penalty box (IBGW_IBKR_UNAVAILABLE, IBGW_IBKR_PENALTY, IBGW_IBKR_CLOSED)' },
  504: { ...errorSchema, description: 'IBGW_GATEWAY_TIMEOUT: the gateway did not answer within the request timeout (what a gateway that lost IBKR does)' },
} as const;

/** For actions that take nothing: no body, `null` or `{}` — anything else is a mistake worth a 400. */
export const noBody = { type: ['object', 'null'], additionalProperties: false, properties: {} } as const;

/** Request bodies: small by default (app.ts); the few routes that take files raise it for themselves. */
export const BODY_LIMIT = 64 * 1024;

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

/**
 * Why an operator acted: it goes into events, logs and notifications, so it is one line of
 * printable text (no control characters that would split or forge a log line), and not empty.
 */
export const reasonSchema = { type: 'string', minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001f\\u007f]+$' } as const;
