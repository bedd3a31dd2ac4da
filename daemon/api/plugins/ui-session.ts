/**
 * Sign-in for the admin UI without a token in the browser's storage: the person gives their
 * token once, the daemon keeps it in a session (ui-sessions.ts) and hands back an HttpOnly,
 * SameSite=Strict cookie. A request that carries that cookie and no Authorization header is
 * given the session's token as its bearer token here, before anything else looks at it, so
 * `requireAdmin` stays the one check every request passes — a cookie is never a second way in.
 *
 * Changes (POST, PUT, PATCH, DELETE) made with the cookie must also carry the session's CSRF
 * value in `x-csrf-token`: another site's page can make the browser send the cookie but cannot
 * read the value. A missing or wrong header is refused like a wrong token (counted, reported,
 * held), with its own code.
 */
import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ERR_UI_CSRF } from '../../errors.js';
import type { EventSink } from '../../events.js';
import { csrfMatches, UiSessions, type UiSession } from '../ui-sessions.js';

export interface UiSessionOptions {
  idleMs: number;
  maxAgeMs: number;
  maxSessions: number;
  now?: () => number;
  onEvent?: EventSink;
}

declare module 'fastify' {
  interface FastifyInstance {
    uiSessions: UiSessions;
    /** The session cookie's name: per port, as browsers share cookies between ports of a host. */
    uiCookieName: () => string;
  }
  interface FastifyRequest {
    /** The UI session this request was made with, when it came with the cookie and no bearer token. */
    uiSession: UiSession | null;
  }
}

const CHANGES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const UI_SIGN_IN_PATH = '/api/v1/ui/session';

async function uiSession(app: FastifyInstance, options: UiSessionOptions): Promise<void> {
  await app.register(cookie);
  const sessions = new UiSessions(options);
  app.decorate('uiSessions', sessions);
  // Kept once the server listens: address() is a system call, and every request without a
  // bearer token asks for the name (7 % of the daemon's CPU under `npm run bench -- api`).
  let cookieName: string | null = null;
  app.decorate('uiCookieName', () => {
    if (cookieName !== null) return cookieName;
    const address = app.server.address();
    if (typeof address === 'object' && address) return (cookieName = `ibgw_ui_${address.port}`);
    return 'ibgw_ui_local';
  });
  app.decorateRequest('uiSession', null);

  const sessionOf = (request: FastifyRequest): UiSession | null => {
    const id = request.cookies[app.uiCookieName()];
    return id ? sessions.use(id) : null;
  };

  app.addHook('onRequest', async (request, reply) => {
    // A bearer token (the CLI, an app) is checked as it is; the cookie only stands in for one.
    if (request.headers.authorization !== undefined) return;
    // Signing in again while a session is open is not a change made with that session.
    if (request.method === 'POST' && request.routeOptions.url === UI_SIGN_IN_PATH) return;
    const session = sessionOf(request);
    if (!session) return;
    if (CHANGES.has(request.method) && !csrfMatches(request.headers['x-csrf-token'] as string | undefined, session.csrf)) {
      await app.authFailure(request, reply, 'UI session without its CSRF header', ERR_UI_CSRF());
    }
    request.uiSession = session;
    request.headers.authorization = `Bearer ${session.token}`;
  });
}

export default fp(uiSession, { name: 'ibgw-ui-session', dependencies: ['ibgw-admin-auth'], fastify: '5.x' });
