import type { FastifyInstance } from 'fastify';
import { ERR_LOGIN_SCREENSHOT_NOT_FOUND, ERR_LOGIN_UNAVAILABLE } from '../../errors.js';
import type { LoginPort } from '../login-port.js';
import { routePlugin } from '../route-plugin.js';
import { errorResponses, nullableString } from '../schemas.js';

const attemptSchema = {
  anyOf: [
    { type: 'null' },
    {
      type: 'object',
      properties: {
        result: { type: 'string' },
        code: nullableString,
        detail: { type: 'string' },
        pageText: nullableString,
        at: { type: 'string' },
        ms: { type: 'number' },
        secondFactor: nullableString,
        authenticated: { type: 'boolean' },
        screenshot: { ...nullableString, description: 'file name for GET /api/v1/login/screenshots/{name}' },
      },
    },
  ],
} as const;

const NAME = '^login-failed-[A-Za-z0-9_-]+\\.png$';

/**
 * The browser login as an admin sees it: whether one can run (Chromium, stored credentials),
 * the last attempt (IBKR's own words, never a secret) and the screenshots of failed attempts,
 * taken with the password field emptied.
 */
async function loginRoutes(app: FastifyInstance): Promise<void> {
  const login = (): LoginPort => {
    if (!app.login) throw ERR_LOGIN_UNAVAILABLE();
    return app.login;
  };

  app.get('/api/v1/login', {
    preHandler: app.requireAdmin,
    schema: {
      summary: 'The browser login: whether it can run, and the last attempt (never a secret)',
      response: {
        200: {
          type: 'object',
          properties: { running: { type: 'boolean' }, unavailable: nullableString, last: attemptSchema, screenshots: { type: 'array', items: { type: 'string' } } },
          required: ['running', 'unavailable', 'last', 'screenshots'],
        },
        ...errorResponses,
      },
    },
  }, async () => {
    const l = login();
    const { running, last } = l.status();
    return {
      running,
      unavailable: l.unavailable(),
      last: last && {
        result: last.result, code: last.error?.code ?? null, detail: last.detail, pageText: last.pageText, at: new Date(last.at).toISOString(),
        ms: last.ms, secondFactor: last.secondFactor, authenticated: last.authenticated, screenshot: last.screenshot,
      },
      screenshots: l.screenshots(),
    };
  });

  app.get<{ Params: { name: string } }>('/api/v1/login/screenshots/:name', {
    preHandler: app.requireAdmin,
    schema: {
      summary: 'A failed login\'s screenshot (PNG, taken with the password field emptied)',
      params: { type: 'object', properties: { name: { type: 'string', pattern: NAME, maxLength: 200 } }, required: ['name'] },
      response: { 200: { description: 'the PNG image', type: 'string', format: 'binary' }, ...errorResponses },
    },
  }, async (request, reply) => {
    const png = await login().screenshot(request.params.name);
    if (!png) throw ERR_LOGIN_SCREENSHOT_NOT_FOUND(request.params.name);
    return reply.type('image/png').header('cache-control', 'no-store').send(png);
  });
}

export default routePlugin(loginRoutes, 'ibgw-login-routes', ['ibgw-login']);
