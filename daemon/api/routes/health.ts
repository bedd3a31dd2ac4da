import type { FastifyInstance } from 'fastify';
import { routePlugin } from '../route-plugin.js';

/**
 * Probes for service managers and load balancers. /readyz is 200 only while the gateway is
 * ready — and, when the session keeper runs, only with an authenticated session: a gateway
 * that answers but cannot trade is not ready for the apps behind it.
 */
async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', {
    schema: {
      summary: 'The daemon is alive', response: { 200: { type: 'object', properties: { status: { type: 'string' } } } } },
  }, async () => ({ status: 'ok' }));

  app.get('/readyz', {
    schema: {
      summary: '200 only while the gateway is ready and the IBKR session authenticated',
      response: {
        200: { type: 'object', properties: { ready: { type: 'boolean' }, gateway: { type: 'string' }, session: { type: ['string', 'null'] } } },
        503: { type: 'object', properties: { ready: { type: 'boolean' }, gateway: { type: 'string' }, session: { type: ['string', 'null'] }, reason: { type: 'string' } } },
      },
    },
  }, async (_request, reply) => {
    const { supervisor, session } = app;
    const gateway = supervisor.status().state;
    const sessionState = session ? session.status() : null;
    if (gateway !== 'running') return reply.status(503).send({ ready: false, gateway, session: sessionState?.state ?? null, reason: `gateway is ${gateway}` });
    if (sessionState && !sessionState.authenticated) {
      return reply.status(503).send({ ready: false, gateway, session: sessionState.state, reason: `session is ${sessionState.state}` });
    }
    return { ready: true, gateway, session: sessionState?.state ?? null };
  });
}

export default routePlugin(healthRoutes, 'ibgw-health-routes', ['ibgw-supervisor', 'ibgw-session']);
