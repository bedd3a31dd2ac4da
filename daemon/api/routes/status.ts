import type { FastifyInstance } from 'fastify';
import { missingNodeFlags } from '../../node-flags.js';
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

/**
 * Apps poll status; building and serialising it costs several times a bare route. The answer
 * is kept for a moment — and dropped at once by any event (a gateway or session transition is
 * one), so a change always shows in the next answer; only gauges such as uptime and cpu may
 * be this much old.
 */
const STATUS_REUSE_MS = 500;

async function statusRoutes(app: FastifyInstance): Promise<void> {
  let kept: { body: string | Buffer | ArrayBuffer; at: number } | null = null;
  const drop = () => { kept = null; };
  // Absent only in tests that build the API around a few services (and never ask for status).
  const events = app.eventStore;
  events?.on('event', drop);
  app.addHook('onClose', async () => { events?.off('event', drop); });

  app.get('/api/v1/status', {
    schema: {
      summary: 'Daemon, gateway and session status',
      response: {
        200: {
          type: 'object',
          properties: {
            daemon: {
              type: 'object',
              properties: {
                pid: { type: 'integer' }, version: { type: 'string' }, uptime: { type: 'number' }, config: { type: 'object', additionalProperties: true },
                missingNodeFlags: { type: 'array', items: { type: 'string' }, description: 'V8 flags of daemon/node-flags.ts this daemon was started without (empty when launched by npm start, the ibgw bin, pm2 or systemd); each missing one costs idle memory.' },
                sourceMaps: { type: 'boolean', description: 'Stack traces through source maps: only when asked for with --enable-source-maps (pm2 turns them on for every process; the daemon turns them off again, daemon/source-maps.ts).' },
              },
              required: ['pid', 'version', 'uptime', 'missingNodeFlags', 'sourceMaps'],
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
  }, async (_request, reply) => {
    const now = Date.now();
    if (!kept || now - kept.at >= STATUS_REUSE_MS) {
      const { daemonInfo: daemon, supervisor, session, gateway, eventStore: store } = app;
      const status = {
        daemon: { pid: daemon.pid, version: daemon.version, uptime: (now - daemon.startedAt) / 1000, config: daemon.configStatus() as Record<string, unknown>, missingNodeFlags: missingNodeFlags(process.execArgv), sourceMaps: process.sourceMapsEnabled },
        gateway: { ...supervisor.status(), restartsAllTime: store.data.gateway.restarts, info: publicInfo(gateway.info()) },
        session: session ? session.status() : null,
        maintenance: app.maintenancePorts.maintenance()?.status() ?? null,
      };
      // Serialised by the route's own response schema, once per reuse period.
      kept = { body: reply.serialize(status), at: now };
    }
    return reply.type('application/json; charset=utf-8').send(kept.body as string);
  });
}

export default routePlugin(statusRoutes, 'ibgw-status-routes', ['ibgw-daemon-info', 'ibgw-supervisor', 'ibgw-session', 'ibgw-gateway', 'ibgw-event-store', 'ibgw-maintenance']);
