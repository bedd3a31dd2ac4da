import type { FastifyInstance } from 'fastify';
import { routePlugin } from '../route-plugin.js';
import { gatewayErrorResponses } from '../schemas.js';

const record = { type: 'object', additionalProperties: true } as const;

const portfolioSchema = {
  type: 'object',
  properties: {
    accountId: { type: 'string' },
    accounts: { type: 'array', items: record, description: 'GET /portfolio/accounts' },
    positions: { type: 'array', items: record, description: 'every page of GET /portfolio/{accountId}/positions/{page}' },
    summary: { ...record, description: 'GET /portfolio/{accountId}/summary' },
    pages: { type: 'integer' },
    fetchedAt: { type: 'string' },
  },
  required: ['accountId', 'accounts', 'positions', 'summary', 'pages', 'fetchedAt'],
} as const;

const connectionSchema = {
  type: 'object',
  properties: {
    success: { type: 'boolean' },
    error: { type: 'string', description: 'what failed first: "Connection refused: …", "Authentication failed: …", "Rate limited: …", "Timeout: …", "No answer from IBKR: …"' },
    code: { type: 'string' },
    retryAfter: { type: 'integer' },
    gateway: { type: 'string' },
    session: { type: ['string', 'null'] },
    checkedAt: { type: 'string' },
  },
  required: ['success', 'gateway', 'session', 'checkedAt'],
} as const;

/**
 * What the guide's ibkrService does, for apps that would rather not speak IBKR's API: the
 * portfolio in one call and the connection check. Both go through the pass-through (pacing,
 * cache, gate), so they cost IBKR no more than the calls they stand for.
 */
async function appRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: { accountId?: string } }>('/api/v1/portfolio', {
    preHandler: app.requireScope('read'),
    schema: {
      summary: 'Accounts, every positions page and the summary of one account (default: the first)',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { accountId: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' } },
      },
      response: { 200: portfolioSchema, ...gatewayErrorResponses },
    },
  }, async (request) => app.ibkr.portfolio(request.query.accountId));

  app.get('/api/v1/connection', {
    preHandler: app.requireScope('read'),
    schema: {
      summary: 'The guide\'s testConnection: gateway running, session authenticated, a brokerage call answered',
      description: 'Always 200; `success` says whether an app can use IBKR now. A brokerage answer up to 5 s old counts.',
      response: { 200: connectionSchema, ...gatewayErrorResponses },
    },
  }, async () => app.ibkr.testConnection());
}

export default routePlugin(appRoutes, 'ibgw-app-routes', ['ibgw-ibkr', 'ibgw-scopes']);
