import type { FastifyInstance } from 'fastify';
import { routePlugin } from '../route-plugin.js';
import { ERR_SESSION_DISABLED } from '../../errors.js';
import { errorResponses, noBody } from '../schemas.js';
import type { SessionPort } from '../services.js';

const open = { type: 'object', additionalProperties: true } as const;

/**
 * The IBKR session as the keeper sees it: state, ladder, login budget, metrics (response
 * times per endpoint class, authenticated uptime over day and week).
 */
async function sessionRoutes(app: FastifyInstance): Promise<void> {
  const session = (): SessionPort => {
    const keeper = app.session;
    if (!keeper) throw ERR_SESSION_DISABLED();
    return keeper;
  };

  app.get('/api/v1/session', {
    schema: { summary: 'Session state, ladder, login budget and metrics', response: { 200: { type: 'object', properties: { status: open, metrics: open } }, ...errorResponses } },
  }, async () => {
    const keeper = session();
    return { status: keeper.status(), metrics: keeper.metrics() };
  });

  // Operator actions; each answers with the session status after it.
  const actions: Array<[string, (keeper: SessionPort) => unknown]> = [
    ['check', (keeper) => keeper.checkNow()],
    ['clear-login-block', (keeper) => keeper.clearLoginBlock()],
  ];
  for (const [name, act] of actions) {
    app.post(`/api/v1/session/${name}`, {
      preHandler: app.requireAdmin,
      schema: { summary: `session ${name}`, body: noBody, response: { 200: open, ...errorResponses } },
    }, async () => {
      const keeper = session();
      await act(keeper);
      return keeper.status();
    });
  }
}

export default routePlugin(sessionRoutes, 'ibgw-session-routes', ['ibgw-session']);
