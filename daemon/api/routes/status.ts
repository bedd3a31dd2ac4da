import type { FastifyInstance } from 'fastify';
import { gatewayStatusSchema } from '../schemas.js';

export default async function statusRoutes(app: FastifyInstance): Promise<void> {
  app.get('/api/v1/status', {
    schema: {
      response: {
        200: {
          type: 'object',
          properties: {
            daemon: {
              type: 'object',
              properties: { pid: { type: 'integer' }, version: { type: 'string' }, uptime: { type: 'number' }, config: { type: 'object', additionalProperties: true } },
              required: ['pid', 'version', 'uptime'],
            },
            gateway: { ...gatewayStatusSchema, properties: { ...gatewayStatusSchema.properties, info: { type: 'object', additionalProperties: true } } },
            session: { type: ['object', 'null'], additionalProperties: true },
          },
          required: ['daemon', 'gateway'],
        },
      },
    },
  }, async () => {
    const { daemon, supervisor, session, gatewayInfo, configStatus } = app.services;
    return {
      daemon: { pid: daemon.pid, version: daemon.version, uptime: (Date.now() - daemon.startedAt) / 1000, config: configStatus() as Record<string, unknown> },
      gateway: { ...supervisor.status(), info: gatewayInfo() },
      session: session ? session.status() : null,
    };
  });
}
