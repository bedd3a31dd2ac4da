import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Counts every answered request by route pattern (not URL: `/api/v1/ibkr/*`, never each path
 * an app asks for), method and status. URLs no route matches share one label, so a scanner
 * cannot grow the daemon's memory through /metrics' labels.
 */
async function requestMetrics(app: FastifyInstance): Promise<void> {
  // A callback hook, not an async one: no promise per request for a counter increment.
  app.addHook('onResponse', (request, reply, done) => {
    // Absent only in tests that build the API around a few services.
    app.metrics?.recordRequest(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode);
    done();
  });
}

export default fp(requestMetrics, { name: 'ibgw-request-metrics', dependencies: ['ibgw-metrics'], fastify: '5.x' });
