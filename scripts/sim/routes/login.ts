/**
 * The browser login, outside the /v1/api base. `GET /` sends the browser to IBKR's SSO page
 * with the exact query the real gateway uses; the page is a script-rendered app that talks to
 * the JSON endpoints below (the real page, too, works by XHR) and ends at /sso/Dispatcher,
 * where the gateway's session begins (one cookie jar for everyone, so a login replaces any
 * existing session) and the brokerage session follows after authDelay.
 */
import type { SimContext } from '../context.js';
import { formFields, json, text, type Reply, type SimRequest } from '../http-io.js';
import type { FlowAnswer, LoginError } from '../login-flow.js';
import { LOGIN_TEXTS, loginShell, METHOD_LABELS, PUSH_POLL_MS } from '../login-page.js';
import type { Route } from './route.js';

const loginPath = (ctx: SimContext): string => `/sso/Login?forwardTo=22&RL=1&ip2loc=${encodeURIComponent(ctx.conf.ip2loc)}`;
const NO_STORE = { 'cache-control': 'no-store' };

const ERROR_TEXTS: Record<LoginError, string> = {
  'bad-credentials': LOGIN_TEXTS.badCredentials,
  locked: LOGIN_TEXTS.locked,
  'bad-code': LOGIN_TEXTS.badCode,
  expired: LOGIN_TEXTS.expired,
  denied: LOGIN_TEXTS.denied,
};

function root(_req: SimRequest, ctx: SimContext): Reply {
  return { status: 302, headers: { location: loginPath(ctx) }, body: '' };
}

function shell(): Reply {
  return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', ...NO_STORE }, body: loginShell() };
}

function asset(_req: SimRequest, ctx: SimContext, params: Record<string, string>): Reply {
  const found = ctx.loginAssets.get(params.name ?? '');
  return found ? { status: 200, headers: { 'content-type': found.type, ...NO_STORE }, body: found.body } : text(404, `Unknown path /sso/static/${params.name}`);
}

function settings(): Reply {
  return json(200, { pollMs: PUSH_POLL_MS, codePrompt: LOGIN_TEXTS.codePrompt });
}

function reply(ctx: SimContext, answer: FlowAnswer, forwardTo: string): Reply {
  switch (answer.step) {
    case 'authenticated':
      return json(200, { status: 'authenticated', next: `/sso/Dispatcher?forwardTo=${forwardTo}&ticket=${answer.ticket}` });
    case 'second-factor':
      if (answer.method === 'push') ctx.log.log('INFO', 'SsoAuthenticator', `IB Key notification sent for ${answer.user.username}`);
      return json(200, {
        status: 'second-factor',
        challenge: answer.challenge,
        method: answer.method,
        methods: [{ id: answer.method, label: METHOD_LABELS[answer.method] }],
        message: answer.method === 'push' ? LOGIN_TEXTS.pushSent : LOGIN_TEXTS.codePrompt,
      });
    case 'pending':
      return json(200, { status: 'pending' });
    case 'error':
      ctx.log.log('WARN', 'SsoAuthenticator', `login failed: ${answer.error}`);
      return json(answer.error === 'locked' ? 403 : 401, { status: 'error', error: answer.error, message: ERROR_TEXTS[answer.error] });
  }
}

/** The page's own forwardTo travels through to the Dispatcher link; digits only. */
const forwardOf = (f: Record<string, string>): string => (/^\d{1,4}$/.test(f.forwardTo ?? '') ? f.forwardTo! : '22');

function submitCredentials(req: SimRequest, ctx: SimContext): Reply {
  const f = formFields(req);
  return reply(ctx, ctx.flow.credentials(f.username ?? '', f.password ?? '', f.mode), forwardOf(f));
}

function submitCode(req: SimRequest, ctx: SimContext): Reply {
  const f = formFields(req);
  return reply(ctx, ctx.flow.code(f.challenge ?? '', f.code ?? ''), forwardOf(f));
}

function poll(req: SimRequest, ctx: SimContext): Reply {
  const f = formFields(req);
  return reply(ctx, ctx.flow.poll(f.challenge ?? ''), forwardOf(f));
}

/** Where the browser lands after the last step; the gateway's answer is plain text. */
function dispatcher(req: SimRequest, ctx: SimContext): Reply {
  const user = ctx.flow.redeem(req.query.get('ticket') ?? '');
  if (!user) return text(401, LOGIN_TEXTS.badTicket);
  ctx.session.login(user);
  ctx.marketData.clear();
  ctx.log.log('INFO', 'SsoAuthenticator', `login succeeded for ${user.username}`);
  return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', ...NO_STORE }, body: LOGIN_TEXTS.success };
}

export const loginRoutes: Route[] = [
  { methods: ['GET'], path: '/', handler: root },
  { methods: ['GET'], path: '/sso/Login', handler: shell },
  { methods: ['GET'], path: '/sso/static/{name}', handler: asset },
  { methods: ['GET'], path: '/sso/api/settings', handler: settings },
  { methods: ['POST'], path: '/sso/api/login', handler: submitCredentials },
  { methods: ['POST'], path: '/sso/api/code', handler: submitCode },
  { methods: ['POST'], path: '/sso/api/poll', handler: poll },
  { methods: ['GET'], path: '/sso/Dispatcher', handler: dispatcher },
];
