import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { withScope, type Scope, type ScopedHandler } from '../route-scope.js';
import { allows } from '../scope-check.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler that admits a bearer token allowing `scope` (the admin token allows every scope). */
    requireScope: (scope: Scope) => ScopedHandler;
  }
}

/**
 * The seam between routes and who may call them: a route asks for a scope, admin-auth says
 * whose token it is (the same failure handling for every token: slowed 401s, 429 past the
 * limit, bursts reported), and this decides whether that token's scope covers the route.
 */
async function scopes(app: FastifyInstance): Promise<void> {
  withScope(app.requireAdmin, 'admin');
  const byScope = new Map<Scope, ScopedHandler>();
  app.decorate('requireScope', (scope: Scope) => {
    let handler = byScope.get(scope);
    if (!handler) {
      const check = async (request: FastifyRequest, reply: FastifyReply) => {
        const principal = await app.authenticate(request, reply);
        if (principal.kind === 'app' && !allows(principal, scope)) throw app.forbid.refuse(request, principal, scope);
      };
      byScope.set(scope, (handler = withScope(check, scope)));
    }
    return handler;
  });
}

export default fp(scopes, { name: 'ibgw-scopes', dependencies: ['ibgw-admin-auth'] });
