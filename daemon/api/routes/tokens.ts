import type { FastifyInstance } from 'fastify';
import { ERR_TOKEN_INVALID } from '../../errors.js';
import type { TokenScope } from '../../tokens/app-tokens.js';
import { routePlugin } from '../route-plugin.js';
import { errorResponses, noBody } from '../schemas.js';
import type { TokensPort } from '../services.js';

const tokenSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    scope: { type: 'string', enum: ['read', 'trade'] },
    createdAt: { type: 'string' },
    lastUsedAt: { type: ['string', 'null'] },
    lastUsedFrom: { type: ['string', 'null'] },
  },
  required: ['id', 'name', 'scope', 'createdAt', 'lastUsedAt'],
} as const;

/**
 * App tokens, for the admin: create (the token is in this answer and nowhere else, ever), list
 * (with last use), revoke. Scopes: read (status, portfolio, GET pass-through, events, metrics),
 * trade (read plus non-GET pass-through, when api.passThrough.allowTrading is on).
 */
async function tokenRoutes(app: FastifyInstance): Promise<void> {
  const tokens = (): TokensPort => {
    if (!app.tokens) throw ERR_TOKEN_INVALID('store', 'this daemon has no app tokens');
    return app.tokens;
  };

  app.get('/api/v1/tokens', {
    preHandler: app.requireAdmin,
    schema: { summary: 'App tokens with scope and last use (never the tokens)', response: { 200: { type: 'object', properties: { tokens: { type: 'array', items: tokenSchema } } }, ...errorResponses } },
  }, async () => ({ tokens: tokens().list() }));

  app.post<{ Body: { name: string; scope: TokenScope } }>('/api/v1/tokens', {
    preHandler: app.requireAdmin,
    schema: {
      summary: 'Create an app token; the answer is the only place it is ever shown',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'scope'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9 ._-]*$' },
          scope: { type: 'string', enum: ['read', 'trade'] },
        },
      },
      response: { 201: { ...tokenSchema, properties: { ...tokenSchema.properties, token: { type: 'string' } }, required: [...tokenSchema.required, 'token'] }, ...errorResponses },
    },
  }, async (request, reply) => reply.status(201).send(await tokens().create(request.body.name, request.body.scope)));

  app.delete<{ Params: { id: string } }>('/api/v1/tokens/:id', {
    preHandler: app.requireAdmin,
    schema: {
      summary: 'Revoke an app token (by id or name): it stops working at once',
      body: noBody,
      params: { type: 'object', properties: { id: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['id'] },
      response: { 200: { type: 'object', properties: { revoked: tokenSchema } }, ...errorResponses },
    },
  }, async (request) => ({ revoked: await tokens().revoke(request.params.id) }));
}

export default routePlugin(tokenRoutes, 'ibgw-token-routes', ['ibgw-tokens']);
