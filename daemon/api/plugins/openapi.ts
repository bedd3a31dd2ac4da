import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { scopeOf } from '../route-scope.js';
import { docsUi } from './docs-ui.js';

/** `/api/v1/gateway/start` → gateway, `/healthz` → health: one tag per area of the API. */
function tagOf(url: string): string {
  const parts = url.split('/').filter(Boolean);
  if (parts[0] === 'healthz' || parts[0] === 'readyz') return 'health';
  return parts[0] === 'api' ? (parts[2] ?? 'api') : parts[0];
}

/** Fastify's `/x/*` parameter is named `*`; the document calls it `{path}`. */
function namedWildcard(url: string, schema: Record<string, unknown>): { url: string; base: Record<string, unknown> } {
  if (!url.endsWith('/*')) return { url, base: schema };
  const params = schema.params as { properties?: Record<string, unknown> } | undefined;
  const { '*': wildcard, ...others } = params?.properties ?? {};
  const renamed = { ...params, properties: { ...others, path: wildcard ?? { type: 'string' } }, required: ['path'] };
  return { url: `${url.slice(0, -1)}{path}`, base: { ...schema, params: renamed } };
}

const SCOPE_TEXT = {
  admin: 'Needs the admin token.',
  trade: 'Needs a token with scope `trade` (or the admin token).',
  read: 'Needs a token with scope `read` or `trade` (or the admin token).',
} as const;

/**
 * The OpenAPI document, made from the routes' own JSON schemas (@fastify/swagger collects them
 * as routes are added; the document is built on its first request and kept). Which token a
 * route needs is read from its preHandler (route-scope.ts), so the document cannot disagree
 * with the check. The UI at /api/docs is loaded only when someone opens it (docs-ui.ts).
 */
async function openapi(app: FastifyInstance, options: { version: string }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'ibgw-supervisor',
        version: options.version,
        description: 'Local API of the daemon that keeps an Interactive Brokers gateway alive. Errors are `{code, message, details?}` with stable codes.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The admin token, or an app token (ibgw tokens create)' } } },
    },
    transform: ({ schema, url: routeUrl, route }: { schema: FastifySchema; url: string; route: RouteOptions }) => {
      const scope = scopeOf(route.preHandler);
      const { url, base } = namedWildcard(routeUrl, (schema ?? {}) as Record<string, unknown>);
      const described = { ...base, tags: (base.tags as string[] | undefined) ?? [tagOf(url)] };
      if (!scope) return { schema: described, url };
      const description = [base.description, SCOPE_TEXT[scope]].filter(Boolean).join('\n\n');
      return { schema: { ...described, description, security: [{ bearer: [] }], 'x-ibgw-scope': scope }, url };
    },
  });

  app.get('/api/docs/json', { schema: { hide: true } }, async () => app.swagger());
  docsUi(app, { path: '/api/docs' });
}

export default fp(openapi, { name: 'ibgw-openapi', fastify: '5.x' });
