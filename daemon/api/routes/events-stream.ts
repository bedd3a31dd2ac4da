import type { FastifyInstance } from 'fastify';
import { ERR_EVENTS_FULL } from '../../errors.js';
import { routePlugin } from '../route-plugin.js';
import { errorResponses, errorSchema } from '../schemas.js';

/** What apps may follow: state changes and notices, not the operator's audit (api.auth.*, conf, access). */
export const APP_EVENT_PREFIXES = ['gateway.', 'session.', 'maintenance.', 'ibkr.', 'daemon.'] as const;

/**
 * GET /api/v1/events/stream: Server-Sent Events of gateway and session state changes and
 * maintenance notices. Resume with the Last-Event-ID header (or ?lastEventId=): what the store
 * still holds after that id comes first. The first message (`snapshot`, no id) is the state now.
 */
async function eventStreamRoutes(app: FastifyInstance): Promise<void> {
  const hub = app.eventStreams;
  app.get<{ Querystring: { types?: string; lastEventId?: number }; Headers: { 'last-event-id'?: string } }>('/api/v1/events/stream', {
    preHandler: app.requireScope('read'),
    schema: {
      summary: 'Live events (SSE): gateway and session state changes, maintenance notices',
      description: `Each event: \`id\` (the store's), \`event\` (its type), \`data\` (the stored event as JSON). Types: ${APP_EVENT_PREFIXES.join(', ')}. A client that reads too slowly is disconnected and resumes with Last-Event-ID.`,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          types: { type: 'string', maxLength: 200, pattern: '^[a-z.,-]*$', description: 'comma-separated type prefixes, e.g. gateway.,session.state' },
          lastEventId: { type: 'integer', minimum: 0, description: 'like the Last-Event-ID header' },
        },
      },
      headers: { type: 'object', properties: { 'last-event-id': { type: 'string', pattern: '^[0-9]{1,15}$' } } },
      produces: ['text/event-stream'],
      response: { 200: { type: 'string', description: 'text/event-stream' }, ...errorResponses, 503: errorSchema },
    },
  }, async (request, reply) => {
    if (hub.full()) throw ERR_EVENTS_FULL(hub.stats().clients);
    const header = request.headers['last-event-id'];
    const lastId = header !== undefined ? Number(header) : request.query.lastEventId ?? null;
    const wanted = (request.query.types ?? '').split(',').filter(Boolean);
    const accepts = (type: string) => APP_EVENT_PREFIXES.some((p) => type.startsWith(p)) && (wanted.length === 0 || wanted.some((p) => type.startsWith(p)));
    const session = app.session?.status() as { state?: string; authenticated?: boolean; maintenanceWindow?: unknown } | undefined;
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    await hub.open(reply.raw, {
      lastId,
      accepts,
      notices: [{
        event: 'snapshot',
        data: {
          gateway: app.supervisor.status().state,
          session: session ? { state: session.state, authenticated: session.authenticated, maintenanceWindow: session.maintenanceWindow ?? null } : null,
          lastEventId: app.eventStore.data.nextEventId - 1,
        },
      }],
    });
  });
}

export default routePlugin(eventStreamRoutes, 'ibgw-event-stream-routes', ['ibgw-event-streams', 'ibgw-supervisor', 'ibgw-session', 'ibgw-scopes']);
