import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { withScope, type Scope, type ScopedHandler } from '../route-scope.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler that admits a bearer token allowing `scope` (the admin token allows every scope). */
    requireScope: (scope: Scope) => ScopedHandler;
  }
}

/**
 * The seam between routes and who may call them. Routes ask for a scope; this plugin decides
 * which tokens carry it. Until app tokens exist only the admin token does.
 */
async function scopes(app: FastifyInstance): Promise<void> {
  withScope(app.requireAdmin, 'admin');
  const byScope = new Map<Scope, ScopedHandler>();
  app.decorate('requireScope', (scope: Scope) => {
    let handler = byScope.get(scope);
    if (!handler) {
      const check = async (request: Parameters<ScopedHandler>[0], reply: Parameters<ScopedHandler>[1]) => app.requireAdmin(request, reply);
      byScope.set(scope, (handler = withScope(check, scope)));
    }
    return handler;
  });
}

export default fp(scopes, { name: 'ibgw-scopes', dependencies: ['ibgw-admin-auth'] });
