import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiServices } from '../services.js';

declare module 'fastify' {
  interface FastifyInstance {
    services: ApiServices;
  }
}

/** Routes reach the daemon's services only through this decorator, so tests can build the app around real services in a temp dir. */
async function services(app: FastifyInstance, options: { services: ApiServices }): Promise<void> {
  app.decorate('services', options.services);
}

export default fp(services, { name: 'ibgw-services' });
