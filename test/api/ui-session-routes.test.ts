/**
 * The admin UI's sign-in through the real app (buildApp): a session cookie stands in for the
 * token and passes the same check, changes need the CSRF header, failures are counted like
 * wrong tokens; the UI's files come with a strict CSP.
 */
import t, { type Test } from 'tap';
import { ERR_BAD_REQUEST, ERR_NOT_FOUND, ERR_UI_CSRF, ERR_UNAUTHORIZED } from '../../daemon/errors.js';
import { StatusHistory } from '../../daemon/history/status-history.js';
import { Store } from '../../daemon/store/store.js';
import { testConfig } from '../fixtures/gateway/config.js';
import { ADMIN_TOKEN, adminHeaders, buildTestApp } from '../helpers/api-app.js';
import { tempDir } from '../helpers/temp-dir.js';

async function setup(t: Test) {
  const dir = tempDir(t);
  const config = testConfig(dir);
  const store = new Store({ dataDir: dir, maxEvents: 100 });
  await store.open();
  t.teardown(() => store.close());
  const statusHistory = new StatusHistory();
  const built = await buildTestApp(t, { config: () => config, store, conf: null, tls: null, statusHistory, daemon: { pid: process.pid, version: 'test', startedAt: Date.now() } }, { maxFailures: 20, failureDelayMs: 1 });
  return { ...built, statusHistory };
}

/** The cookie's name=value and its attributes, from a Set-Cookie header. */
function parseSetCookie(header: string | string[] | undefined) {
  const line = Array.isArray(header) ? header[0] : header ?? '';
  const [pair, ...attrs] = line.split(/;\s*/);
  return { pair, attrs: attrs.map((a) => a.toLowerCase()) };
}

t.test('sign in with the token: an HttpOnly SameSite=Strict cookie that passes the admin check', async (t) => {
  const { app, events } = await setup(t);
  const anonymous = await app.inject({ method: 'GET', url: '/api/v1/ui/session' });
  t.match(anonymous.json(), { signedIn: false, address: '127.0.0.1' });

  const wrong = await app.inject({ method: 'POST', url: '/api/v1/ui/session', payload: { token: 'not-the-token' } });
  t.equal(wrong.statusCode, 401);
  t.equal(wrong.json().code, ERR_UNAUTHORIZED.code);
  t.notOk(wrong.headers['set-cookie'], 'no cookie for a wrong token');
  t.match(events.filter((e) => e.type === 'api.auth.failure').map((e) => e.data), [{ reason: 'invalid token', url: '/api/v1/ui/session' }], 'counted like any wrong token');

  const ok = await app.inject({ method: 'POST', url: '/api/v1/ui/session', payload: { token: ADMIN_TOKEN } });
  t.equal(ok.statusCode, 200);
  const body = ok.json();
  t.match(body, { signedIn: true, role: 'admin', address: '127.0.0.1', csrf: /^[A-Za-z0-9_-]{43}$/, expiresAt: String });
  t.notOk(JSON.stringify(body).includes(ADMIN_TOKEN), 'the token is not sent back');
  const cookie = parseSetCookie(ok.headers['set-cookie']);
  t.match(cookie.pair, /^ibgw_ui_\w+=[A-Za-z0-9_-]{43}$/);
  t.ok(cookie.attrs.includes('httponly') && cookie.attrs.includes('samesite=strict') && cookie.attrs.includes('path=/'), `attributes: ${cookie.attrs.join('; ')}`);
  t.notOk(cookie.pair.includes(ADMIN_TOKEN), 'the cookie is not the token');
  t.match(events.find((e) => e.type === 'api.ui.sign-in'), { data: { address: '127.0.0.1', role: 'admin' } });

  const headers = { cookie: cookie.pair };
  t.match((await app.inject({ method: 'GET', url: '/api/v1/ui/session', headers })).json(), { signedIn: true, csrf: body.csrf });
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/events', headers })).statusCode, 200, 'an admin route with the cookie alone');
  const forged = await app.inject({ method: 'GET', url: '/api/v1/events', headers: { cookie: `${cookie.pair.split('=')[0]}=${'A'.repeat(43)}` } });
  t.equal(forged.statusCode, 401, 'an unknown session id is no token');

  // Changes: the CSRF header is required with the cookie, and only with the cookie.
  const change = (h: Record<string, string>) => app.inject({ method: 'POST', url: '/api/v1/tls/check', headers: h, payload: {} });
  const noCsrf = await change(headers);
  t.equal(noCsrf.statusCode, 403);
  t.equal(noCsrf.json().code, ERR_UI_CSRF.code);
  t.equal((await change({ ...headers, 'x-csrf-token': 'wrong' })).json().code, ERR_UI_CSRF.code, 'a wrong value too');
  t.match(events.filter((e) => e.type === 'api.auth.failure').at(-1), { data: { reason: 'UI session without its CSRF header' } }, 'reported like a token failure');
  t.equal((await change({ ...headers, 'x-csrf-token': body.csrf })).json().code, ERR_BAD_REQUEST.code, 'with the header: past the auth, into the route');
  t.equal((await change(adminHeaders)).json().code, ERR_BAD_REQUEST.code, 'a bearer token needs no CSRF header');

  // Sign-out needs the header too; then the cookie is worthless.
  t.equal((await app.inject({ method: 'DELETE', url: '/api/v1/ui/session', headers })).statusCode, 403);
  const out = await app.inject({ method: 'DELETE', url: '/api/v1/ui/session', headers: { ...headers, 'x-csrf-token': body.csrf } });
  t.equal(out.statusCode, 200);
  t.match(parseSetCookie(out.headers['set-cookie']).pair, /^ibgw_ui_\w+=$/, 'the cookie is cleared');
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/events', headers })).statusCode, 401, 'signed out: the old cookie no longer works');
  t.match(events.find((e) => e.type === 'api.ui.sign-out'), { data: { address: '127.0.0.1' } });
});

t.test('the UI files: / redirects, a strict CSP, vendored modules, JSON 404s', async (t) => {
  const { app } = await setup(t);
  const root = await app.inject({ method: 'GET', url: '/' });
  t.equal(root.statusCode, 302);
  t.equal(root.headers.location, '/ui/');
  const index = await app.inject({ method: 'GET', url: '/ui/' });
  t.equal(index.statusCode, 200);
  t.match(index.headers['content-type'], /text\/html/);
  const csp = String(index.headers['content-security-policy']);
  for (const directive of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"]) {
    t.ok(csp.includes(directive), `CSP has ${directive}`);
  }
  t.notMatch(csp, /unsafe-inline|unsafe-eval|upgrade-insecure-requests/, 'nothing inline, no upgrade to https');
  t.notOk(index.headers['strict-transport-security'], 'no HSTS on a plain-http loopback daemon');
  t.notMatch(index.body, /<script>|<style>|\sstyle="|\son\w+="/, 'index.html has no inline script, style or handler');
  for (const file of ['vendor/preact.mjs', 'vendor/preact-hooks.mjs', 'vendor/htm.mjs', 'vendor/uplot.mjs', 'js/main.js']) {
    const res = await app.inject({ method: 'GET', url: `/ui/${file}` });
    t.equal(res.statusCode, 200, file);
    t.match(res.headers['content-type'], /javascript/, `${file} is served as JavaScript`);
    t.notMatch(res.body, /\bfrom\s*["'](preact|htm|uplot)["']/, `${file} imports no bare module name`);
  }
  const missing = await app.inject({ method: 'GET', url: '/ui/nope.js' });
  t.equal(missing.statusCode, 404);
  t.equal(missing.json().code, ERR_NOT_FOUND.code);
  t.equal((await app.inject({ method: 'GET', url: '/ui/../package.json' })).statusCode, 404, 'nothing outside the UI folder');
});

t.test('ui.enabled false: no pages, no sign-in', async (t) => {
  const dir = tempDir(t);
  const config = testConfig(dir);
  const { app } = await buildTestApp(t, { config: () => config, statusHistory: new StatusHistory() });
  t.ok(app.hasRoute({ method: 'GET', url: '/ui/*' }), 'on by default');
  const { buildApp } = await import('../../daemon/api/app.js');
  const { silentLogger } = await import('../../daemon/logger.js');
  const off = await buildApp({ services: { adminToken: ADMIN_TOKEN, config: () => config } as never, logger: silentLogger, auth: { maxFailures: 5, failureWindowMs: 1000, failureDelayMs: 0 }, ui: { enabled: false } });
  t.teardown(() => off.close());
  t.equal((await off.inject({ method: 'GET', url: '/ui/' })).statusCode, 404);
  t.equal((await off.inject({ method: 'GET', url: '/api/v1/ui/session' })).statusCode, 404);
});

t.test('status history: columns of the last hour, newer rows with since', async (t) => {
  const { app, statusHistory } = await setup(t);
  const now = Date.now();
  statusHistory.addSample(now - 2000, 1.5, 1000);
  statusHistory.addSample(now - 1000, 2.5, 2000);
  statusHistory.addTickle(now - 1500, 30);
  const all = await app.inject({ method: 'GET', url: '/api/v1/status/history' });
  t.equal(all.statusCode, 200, 'open, like status');
  t.same(all.json(), { windowMs: 3_600_000, samples: { at: [now - 2000, now - 1000], cpu: [1.5, 2.5], memory: [1000, 2000] }, tickles: { at: [now - 1500], ms: [30] } });
  const newer = await app.inject({ method: 'GET', url: `/api/v1/status/history?since=${now - 1500}` });
  t.same(newer.json().samples.cpu, [2.5]);
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/status/history?since=soon' })).json().code, ERR_BAD_REQUEST.code);
});
