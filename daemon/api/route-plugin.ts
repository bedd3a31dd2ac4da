import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * A route file as a named plugin that states which decorators it needs: registering it
 * without them fails at start with both names, instead of a route failing on its first call.
 * Encapsulated, so a route file's hooks stay its own.
 */
export function routePlugin(routes: (app: FastifyInstance) => Promise<void>, name: string, dependencies: string[]) {
  return fp(routes, { name, dependencies: ['ibgw-error-handler', 'ibgw-admin-auth', ...dependencies], encapsulate: true, fastify: '5.x' });
}
