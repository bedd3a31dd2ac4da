/** JSON schemas shared by routes: one schema validates input and shapes output. */
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
    state: { type: 'string', enum: ['stopped', 'starting', 'running', 'backoff', 'stopping', 'fatal'] },
    pid: { type: ['integer', 'null'] },
    since: nullableString,
    restarts: { type: 'integer' },
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
  required: ['state', 'pid', 'since', 'restarts', 'lastExit', 'cpu', 'memory'],
} as const;
