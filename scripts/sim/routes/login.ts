/**
 * The browser login, outside the /v1/api base. `GET /` sends the browser to IBKR's SSO page
 * with the exact query the real gateway uses. A successful login replaces any existing session
 * (one cookie jar for everyone) and starts the brokerage session after authDelay.
 */
import type { SimContext } from '../context.js';
import { formFields, html, type Reply, type SimRequest } from '../http-io.js';
import { LOCKED_MESSAGE, loginForm, secondFactorForm, successPage } from '../login-page.js';
import type { LoginResult } from '../users.js';
import type { Route } from './route.js';

const loginPath = (ctx: SimContext): string => `/sso/Login?forwardTo=22&RL=1&ip2loc=${encodeURIComponent(ctx.conf.ip2loc)}`;

function root(_req: SimRequest, ctx: SimContext): Reply {
  return { status: 302, headers: { location: loginPath(ctx) }, body: '' };
}

function showForm(req: SimRequest): Reply {
  const query = req.query.toString();
  return html(200, loginForm(`/sso/Login${query ? `?${query}` : ''}`));
}

function outcome(req: SimRequest, ctx: SimContext, result: LoginResult | { result: 'expired' }): Reply {
  const action = `/sso/Login?${req.query.toString() || 'forwardTo=22&RL=1'}`;
  switch (result.result) {
    case 'ok':
      ctx.session.login(result.user);
      ctx.marketData.clear();
      ctx.log.log('INFO', 'SsoAuthenticator', `login succeeded for ${result.user.username}`);
      return html(200, successPage());
    case 'second-factor':
      return html(200, secondFactorForm(result.challenge, result.user.twoFactor === 'approve' ? 'approve' : 'code'));
    case 'locked':
      ctx.log.log('WARN', 'SsoAuthenticator', 'login refused: account locked');
      return html(403, loginForm(action, LOCKED_MESSAGE));
    case 'expired':
      return html(401, loginForm(action, 'Your login request expired. Please log in again.'));
    case 'bad-credentials':
      ctx.log.log('WARN', 'SsoAuthenticator', 'login failed: invalid username or password');
      return html(401, loginForm(action, 'Invalid username or password.'));
  }
}

function submit(req: SimRequest, ctx: SimContext): Reply {
  const f = formFields(req);
  return outcome(req, ctx, ctx.users.login(f.username ?? '', f.password ?? '', f.mode));
}

function secondFactor(req: SimRequest, ctx: SimContext): Reply {
  const f = formFields(req);
  const kind = ctx.users.challengeKind(f.challenge ?? '');
  const result = ctx.users.secondFactor(f.challenge ?? '', { approve: f.approve === 'true', code: f.code });
  if (result.result === 'bad-credentials') {
    // The prompt stays open: a mistyped code may be retried (each try counts as a failure).
    return html(401, secondFactorForm(f.challenge ?? '', kind, kind === 'code' ? 'Invalid security code.' : 'The request was not approved.'));
  }
  return outcome(req, ctx, result);
}

export const loginRoutes: Route[] = [
  { methods: ['GET'], path: '/', handler: root },
  { methods: ['GET'], path: '/sso/Login', handler: showForm },
  { methods: ['POST'], path: '/sso/Login', handler: submit },
  { methods: ['POST'], path: '/sso/Login/2fa', handler: secondFactor },
];
