/**
 * The session endpoints a supervisor's keep-alive uses. Shapes follow IBKR's answers field by
 * field, including the misspelled `collission` in /tickle, and the one surprise that matters
 * most to a recovery ladder: /iserver/reauthenticate without a login is a 200 carrying
 * `{"error":"not logged in"}`, not a 401.
 */
import type { SimContext } from '../context.js';
import { json, unauthorized, type Reply, type SimRequest } from '../http-io.js';
import { SERVER_INFO } from '../session.js';
import type { Route } from './route.js';

function fullStatus(ctx: SimContext): Record<string, unknown> {
  // /iserver/auth/status always names the server, even with no brokerage session.
  return { MAC: '98:F2:B3:23:BF:A0', serverInfo: SERVER_INFO, ...ctx.session.authStatus(), fail: '' };
}

function tickle(_req: SimRequest, ctx: SimContext): Reply {
  const s = ctx.session.current();
  if (!s) return unauthorized();
  return json(200, {
    session: s.id,
    ssoExpires: ctx.session.msLeft(),
    collission: false,
    userId: s.userId,
    hmds: { error: 'no bridge' },
    iserver: { authStatus: ctx.session.authStatus() },
  });
}

function authStatus(_req: SimRequest, ctx: SimContext): Reply {
  return ctx.session.current() ? json(200, fullStatus(ctx)) : unauthorized();
}

function reauthenticate(_req: SimRequest, ctx: SimContext): Reply {
  if (ctx.session.reauthenticate(false) === 'not logged in') return json(200, { error: 'not logged in' });
  return json(200, { message: 'triggered' });
}

/** The newer form: `compete=true` takes the brokerage session over from another platform. */
function ssodhInit(req: SimRequest, ctx: SimContext): Reply {
  const compete = req.query.get('compete') === 'true';
  if (ctx.session.reauthenticate(compete) === 'not logged in') return json(200, { error: 'not logged in' });
  return json(200, fullStatus(ctx));
}

function validate(req: SimRequest, ctx: SimContext): Reply {
  const s = ctx.session.current();
  if (!s) return unauthorized();
  return json(200, {
    USER_ID: s.userId,
    USER_NAME: s.user.username,
    RESULT: true,
    AUTH_TIME: s.authTime,
    SF_ENABLED: s.user.twoFactor !== 'none',
    IS_FREE_TRIAL: false,
    CREDENTIAL: s.user.username,
    IP: req.peer,
    EXPIRES: ctx.session.msLeft(),
    QUALIFIED_FOR_MOBILE_AUTH: null,
    LANDING_APP: 'UNIVERSAL',
    IS_MASTER: false,
    lastAccessed: s.lastActivity,
    LOGIN_TYPE: s.user.paper ? 2 : 1,
    PAPER_USER_NAME: s.user.paper ? s.user.username : null,
    features: { env: 'PROD', wlms: true, realtime: true, bond: true, optionChains: true, calendar: true, newMf: true },
    region: 'NJ',
  });
}

function logout(_req: SimRequest, ctx: SimContext): Reply {
  if (!ctx.session.current()) return unauthorized();
  ctx.session.drop('logout');
  ctx.marketData.clear();
  return json(200, { status: true });
}

export const authRoutes: Route[] = [
  { methods: ['GET', 'POST'], path: '/tickle', handler: tickle },
  { methods: ['GET', 'POST'], path: '/iserver/auth/status', handler: authStatus },
  { methods: ['GET', 'POST'], path: '/iserver/reauthenticate', handler: reauthenticate },
  { methods: ['GET', 'POST'], path: '/iserver/auth/ssodh/init', handler: ssodhInit },
  { methods: ['GET'], path: '/sso/validate', handler: validate },
  { methods: ['GET', 'POST'], path: '/logout', handler: logout },
];
