import type { FastifyInstance } from 'fastify';
import { routePlugin } from '../route-plugin.js';
import { errorResponses } from '../schemas.js';

/**
 * Prometheus text. Needs a token with scope read: the numbers name no secret, but they tell
 * when the gateway is down and how an account's session is doing, which the daemon's open
 * routes do not spell out either. Prometheus sends it with `authorization: {credentials: …}`.
 */
async function metricsRoutes(app: FastifyInstance): Promise<void> {
  app.get('/metrics', {
    preHandler: app.requireScope('read'),
    schema: {
      summary: 'Prometheus metrics: gateway, session, API requests, pass-through latency, cache, 429s, queue depth',
      produces: ['text/plain'],
      response: { 200: { type: 'string', description: 'Prometheus text format 0.0.4' }, ...errorResponses },
    },
  }, async (_request, reply) => {
    const { contentType, body } = await app.metrics.render({ streams: app.eventStreams.stats() });
    return reply.type(contentType).send(body);
  });
}

export default routePlugin(metricsRoutes, 'ibgw-metrics-routes', ['ibgw-metrics', 'ibgw-event-streams', 'ibgw-scopes']);
