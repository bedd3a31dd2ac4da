import type { FastifyInstance } from 'fastify';
import { routePlugin } from '../route-plugin.js';
import { errorResponses } from '../schemas.js';

const numbers = { type: 'array', items: { type: 'number' } } as const;

/**
 * The last hour of the gateway's CPU and memory and of the session keeper's keep-alive
 * latency (the admin UI's charts), as columns. Open like /api/v1/status, which carries the
 * latest of the same numbers. `since` (ms since the epoch) returns only newer rows.
 */
async function statusHistoryRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: { since?: number } }>('/api/v1/status/history', {
    schema: {
      summary: 'The last hour of CPU, memory and tickle latency samples (for charts)',
      querystring: { type: 'object', additionalProperties: false, properties: { since: { type: 'integer', minimum: 0 } } },
      response: {
        200: {
          type: 'object',
          properties: {
            windowMs: { type: 'integer' },
            samples: { type: 'object', properties: { at: numbers, cpu: numbers, memory: numbers }, description: 'at: ms since the epoch; cpu: % of one core; memory: RSS bytes of the gateway group' },
            tickles: { type: 'object', properties: { at: numbers, ms: numbers }, description: 'the keeper\'s keep-alive calls: when answered, how long they took' },
          },
          required: ['windowMs', 'samples', 'tickles'],
        },
        ...errorResponses,
      },
    },
  }, async (request) => app.statusHistory.read(request.query.since ?? 0));
}

export default routePlugin(statusHistoryRoutes, 'ibgw-status-history-routes', ['ibgw-status-history']);
