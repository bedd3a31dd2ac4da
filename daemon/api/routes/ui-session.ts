import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UI_SIGN_IN_PATH } from '../plugins/ui-session.js';
import { routePlugin } from '../route-plugin.js';
import { errorResponses } from '../schemas.js';
import type { UiSessionView } from '../ui-sessions.js';

const sessionSchema = {
  type: 'object',
  properties: {
    signedIn: { type: 'boolean' },
    role: { type: 'string', enum: ['admin', 'read'] },
    csrf: { type: 'string', description: 'send back as x-csrf-token with every change made with the session cookie' },
    address: { type: 'string', description: 'the caller\'s address as the daemon sees it' },
    expiresAt: { type: 'string' },
  },
  required: ['signedIn', 'address'],
} as const;

const view = (session: UiSessionView) => ({ signedIn: true, ...session, expiresAt: new Date(session.expiresAt).toISOString() });

/**
 * The admin UI's session: sign in with the admin token or an app token (checked like any bearer
 * token, failures counted and held; an app token gets the read-only views), see whether the cookie still holds a session, sign out.
 */
async function uiSessionRoutes(app: FastifyInstance): Promise<void> {
  const maxAgeSeconds = Math.ceil(app.uiSessions.maxAgeMs / 1000);

  app.get(UI_SIGN_IN_PATH, { schema: { summary: 'The admin UI session of this cookie, if any', response: { 200: sessionSchema } } }, async (request) => {
    const session = request.uiSession;
    return session ? view(app.uiSessions.view(session)) : { signedIn: false, address: request.ip };
  });

  // The token from the body becomes the request's bearer token: the same check, the same failures.
  const tokenAsBearer = async (request: FastifyRequest<{ Body: { token: string } }>) => {
    request.headers.authorization = `Bearer ${request.body.token}`;
  };

  app.post<{ Body: { token: string } }>(UI_SIGN_IN_PATH, {
    preHandler: [tokenAsBearer, async (request, reply) => { await app.authenticate(request, reply); }],
    schema: {
      summary: 'Sign in to the admin UI with a token: sets an HttpOnly, SameSite=Strict session cookie',
      body: { type: 'object', additionalProperties: false, required: ['token'], properties: { token: { type: 'string', minLength: 1, maxLength: 1024 } } },
      response: { 200: sessionSchema, ...errorResponses },
    },
  }, async (request, reply) => {
    // An app token signs in to read-only views: the API itself still checks its scope on every call.
    const role = request.principal?.kind === 'admin' ? 'admin' : 'read';
    const { id, session } = app.uiSessions.create(request.body.token, role, request.ip);
    reply.setCookie(app.uiCookieName(), id, {
      path: '/', httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https', maxAge: maxAgeSeconds,
    });
    return view(session);
  });

  app.delete(UI_SIGN_IN_PATH, { schema: { summary: 'Sign out of the admin UI', response: { 200: sessionSchema, ...errorResponses } } }, async (request, reply: FastifyReply) => {
    const id = request.cookies[app.uiCookieName()];
    // Only a session that passed the CSRF check (request.uiSession) is ended by this request.
    if (id && request.uiSession) app.uiSessions.remove(id);
    reply.clearCookie(app.uiCookieName(), { path: '/', httpOnly: true, sameSite: 'strict' });
    return { signedIn: false, address: request.ip };
  });
}

export default routePlugin(uiSessionRoutes, 'ibgw-ui-session-routes', ['ibgw-ui-session']);
