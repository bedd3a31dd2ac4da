import type { FastifyInstance } from 'fastify';
import { routePlugin } from '../route-plugin.js';
import { errorResponses, errorSchema } from '../schemas.js';

const open = { type: 'object', additionalProperties: true } as const;
const problem = { type: ['object', 'null'], properties: { code: { type: 'string' }, message: { type: 'string' } } } as const;
const answer = { type: ['object', 'null'], properties: { status: { type: ['integer', 'null'] }, text: { type: 'string' } } } as const;

/**
 * Notifications: channels (never their secrets), recent deliveries and their results, and a
 * test message through one channel. Admin only: the channel list names internal hosts.
 */
async function notificationRoutes(app: FastifyInstance): Promise<void> {
  app.get('/api/v1/notifications', {
    preHandler: app.requireAdmin,
    schema: {
      summary: 'Notification channels, rules and the outbox',
      response: {
        200: {
          type: 'object',
          properties: {
            channels: { type: 'array', items: open },
            rules: { type: 'array', items: { type: 'string' } },
            hold: { anyOf: [{ type: 'null' }, open] },
            conditions: { type: 'array', items: open },
            recent: { type: 'array', items: open },
            failed: { type: 'array', items: open },
          },
        },
        ...errorResponses,
      },
    },
  }, async () => app.notifier.status());

  app.post<{ Body: { channel: string } }>('/api/v1/notifications/test', {
    preHandler: app.requireAdmin,
    schema: {
      summary: 'Send a test notification through one channel',
      body: { type: 'object', additionalProperties: false, required: ['channel'], properties: { channel: { type: 'string', minLength: 1, maxLength: 64 } } },
      response: {
        // 200 even when the receiver refused: the test ran, and its answer is the result.
        200: {
          type: 'object',
          properties: { channel: { type: 'string' }, id: { type: 'string' }, ok: { type: 'boolean' }, ms: { type: 'number' }, answer, error: problem },
        },
        ...errorResponses,
        503: errorSchema,
      },
    },
  }, async (request) => app.notifier.test(request.body.channel));
}

export default routePlugin(notificationRoutes, 'ibgw-notification-routes', ['ibgw-notifier']);
