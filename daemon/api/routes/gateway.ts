import type { FastifyInstance } from 'fastify';
import { routePlugin } from '../route-plugin.js';
import { errorResponses, gatewayStatusSchema, reasonSchema } from '../schemas.js';

const actionBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { reason: reasonSchema },
} as const;

type Action = 'start' | 'stop' | 'restart';

/**
 * Operator actions on the gateway. They answer once the action has taken effect (stop: the
 * group is verified empty; start/restart: the launch is under way) with the status after it.
 */
async function gatewayRoutes(app: FastifyInstance): Promise<void> {
  for (const action of ['start', 'stop', 'restart'] as Action[]) {
    app.post<{ Body: { reason?: string } | null }>(`/api/v1/gateway/${action}`, {
      preHandler: app.requireAdmin,
      schema: { summary: `${action} the gateway`, body: actionBody, response: { 200: gatewayStatusSchema, ...errorResponses } },
    }, async (request) => {
      const reason = request.body?.reason ?? `operator ${action} via API`;
      await app.supervisor[action](reason);
      return app.supervisor.status();
    });
  }

  app.get<{ Querystring: { limit: number } }>('/api/v1/gateway/logs', {
    preHandler: app.requireAdmin,
    schema: {
      summary: 'The last captured gateway output lines (secrets redacted)',
      querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 10000, default: 200 } } },
      response: {
        200: { type: 'object', properties: { lines: { type: 'array', items: { type: 'object', properties: { stream: { type: 'string' }, text: { type: 'string' }, at: { type: ['string', 'number'] } } } } } },
        ...errorResponses,
      },
    },
  }, async (request) => ({ lines: app.supervisor.logs(request.query.limit) }));

  app.get<{ Querystring: { limit: number; sinceId?: number; type?: string } }>('/api/v1/events', {
    preHandler: app.requireAdmin,
    schema: {
      summary: 'Recorded events, newest last',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: 5000, default: 100 },
          sinceId: { type: 'integer', minimum: 0 },
          type: { type: 'string', maxLength: 100 },
        },
      },
      response: {
        200: {
          type: 'object',
          properties: {
            events: {
              type: 'array',
              items: { type: 'object', properties: { id: { type: 'integer' }, at: { type: 'string' }, type: { type: 'string' }, level: { type: 'string' }, message: { type: 'string' }, data: { type: 'object', additionalProperties: true } } },
            },
          },
        },
        ...errorResponses,
      },
    },
  }, async (request) => ({ events: await app.eventStore.events(request.query) }));
}

export default routePlugin(gatewayRoutes, 'ibgw-gateway-routes', ['ibgw-supervisor', 'ibgw-event-store']);
