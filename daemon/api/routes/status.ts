import type { FastifyInstance } from 'fastify';
import { routePlugin } from '../route-plugin.js';
import { gatewayStatusSchema } from '../schemas.js';

/**
 * Status answers without a token, so it carries only what any local app may know: the kind,
 * where to reach the gateway and how to verify it. Lists, paths and labels are behind admin
 * routes (GET /api/v1/access, /api/v1/conf).
 */
function publicInfo(info: Record<string, unknown>): Record<string, unknown> {
  const { kind, baseUrl, customCommand, tls } = info;
  return { kind, baseUrl, customCommand, tls };
}

async function statusRoutes(app: FastifyInstance): Promise<void> {
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
            gateway: {
              ...gatewayStatusSchema,
              properties: {
                ...gatewayStatusSchema.properties,
                restartsAllTime: { type: 'integer', description: 'The same count as restartsSinceStart, over every daemon run with this data directory (kept in the state file).' },
                info: { type: 'object', additionalProperties: true },
              },
            },
            session: { type: ['object', 'null'], additionalProperties: true },
            maintenance: { type: ['object', 'null'], additionalProperties: true, description: 'the current and next admin window and what the scheduler is doing; null without the maintenance service' },
          },
          required: ['daemon', 'gateway'],
        },
      },
    },
  }, async () => {
    const { daemonInfo: daemon, supervisor, session, gateway, eventStore: store } = app;
    return {
      daemon: { pid: daemon.pid, version: daemon.version, uptime: (Date.now() - daemon.startedAt) / 1000, config: daemon.configStatus() as Record<string, unknown> },
      gateway: { ...supervisor.status(), restartsAllTime: store.data.gateway.restarts, info: publicInfo(gateway.info()) },
      session: session ? session.status() : null,
      maintenance: app.maintenancePorts.maintenance()?.status() ?? null,
    };
  });
}

export default routePlugin(statusRoutes, 'ibgw-status-routes', ['ibgw-daemon-info', 'ibgw-supervisor', 'ibgw-session', 'ibgw-gateway', 'ibgw-event-store', 'ibgw-maintenance']);
