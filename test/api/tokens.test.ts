import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { startApiDaemon } from '../helpers/api-daemon.js';

t.test('app tokens: shown once, stored hashed, scopes read and trade, revocation', async (t) => {
  const d = await startApiDaemon(t, { gateway: { autoStart: false }, api: { authFailureDelayMs: 1 } });
  const app = d.daemon.app;
  const admin = { authorization: `Bearer ${d.token}` };
  const as = (token: string) => ({ authorization: `Bearer ${token}` });

  const created = await app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload: { name: 'dashboard', scope: 'read' } });
  t.equal(created.statusCode, 201);
  const read = created.json();
  t.match(read, { name: 'dashboard', scope: 'read', lastUsedAt: null, token: /^ibgw_[A-Za-z0-9_-]{43}$/ });
  const trade = (await app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload: { name: 'trader', scope: 'trade' } })).json();
  t.match((await app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload: { name: 'dashboard', scope: 'read' } })).json(), { code: 'IBGW_TOKEN_NAME_TAKEN' });
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/tokens', headers: admin, payload: { name: 'x', scope: 'admin' } })).statusCode, 400, 'no admin scope for apps');

  const file = join(d.dataDir, 'app-tokens.json');
  t.equal(statSync(file).mode & 0o777, 0o600, 'the token file is 0600');
  const stored = readFileSync(file, 'utf8');
  t.notOk(stored.includes(read.token) || stored.includes(trade.token), 'no token in the file, only digests');
  const listed = (await app.inject({ method: 'GET', url: '/api/v1/tokens', headers: admin })).body;
  t.notOk(listed.includes(read.token) || listed.includes('digest'), 'never shown again');

  // read: status, portfolio, GET pass-through, events, metrics.
  t.equal((await app.inject({ method: 'GET', url: '/metrics', headers: as(read.token) })).statusCode, 200);
  const portfolio = await app.inject({ method: 'GET', url: '/api/v1/portfolio', headers: as(read.token) });
  t.match([portfolio.statusCode, portfolio.json().details?.reason], [503, 'gateway-stopped'], 'past the token check: the gateway is what is missing');
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/connection', headers: as(read.token) })).statusCode, 200);
  const order = await app.inject({ method: 'POST', url: '/api/v1/ibkr/iserver/account/DU1/orders', headers: as(read.token), payload: { orders: [] } });
  t.match([order.statusCode, order.json().code], [403, 'IBGW_FORBIDDEN'], 'read cannot trade');
  for (const [method, url] of [['GET', '/api/v1/access'], ['POST', '/api/v1/gateway/stop'], ['GET', '/api/v1/tokens'], ['GET', '/api/v1/events']] as const) {
    const res = await app.inject({ method, url, headers: as(trade.token) });
    t.match([res.statusCode, res.json().code], [403, 'IBGW_FORBIDDEN'], `${method} ${url} is the admin's`);
  }
  const tradeOrder = await app.inject({ method: 'POST', url: '/api/v1/ibkr/iserver/account/DU1/orders', headers: as(trade.token), payload: { orders: [] } });
  t.match([tradeOrder.statusCode, tradeOrder.json().code], [403, 'IBGW_IBKR_READ_ONLY'], 'trade needs allowTrading too');
  const forbidden = await d.daemon.store.events({ type: 'api.auth.forbidden' });
  t.equal(forbidden.filter((e) => (e.data as { token: string }).token === 'dashboard').length, 1, 'a refusal is recorded');
  t.notOk(JSON.stringify((await d.daemon.store.events({ limit: 1000 }))).includes(read.token), 'no token in any event');

  const last = (await app.inject({ method: 'GET', url: '/api/v1/tokens', headers: admin })).json().tokens.find((x: { name: string }) => x.name === 'dashboard');
  t.ok(last.lastUsedAt && Date.parse(last.lastUsedAt) > Date.now() - 60_000, 'last use is tracked');
  t.equal(last.lastUsedFrom, '127.0.0.1');

  const wrong = await app.inject({ method: 'GET', url: '/metrics', headers: as(`${read.token}x`) });
  t.match([wrong.statusCode, wrong.json().code], [401, 'IBGW_UNAUTHORIZED']);
  t.ok((await d.daemon.store.events({ type: 'api.auth.failure' })).length >= 1, 'a failure is recorded');

  const revoked = await app.inject({ method: 'DELETE', url: `/api/v1/tokens/${read.id}`, headers: admin });
  t.match(revoked.json(), { revoked: { name: 'dashboard' } });
  t.equal((await app.inject({ method: 'GET', url: '/metrics', headers: as(read.token) })).statusCode, 401, 'a revoked token stops working at once');
  t.match((await app.inject({ method: 'DELETE', url: '/api/v1/tokens/trader', headers: admin })).json(), { revoked: { id: trade.id } }, 'by name too');
  t.equal((await app.inject({ method: 'DELETE', url: '/api/v1/tokens/trader', headers: admin })).statusCode, 404);
});

t.test('trade tokens pass orders only when allowTrading is on', async (t) => {
  const d = await startApiDaemon(t, { gateway: { autoStart: false }, api: { passThrough: { allowTrading: true } } });
  const app = d.daemon.app;
  const trade = (await app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { authorization: `Bearer ${d.token}` }, payload: { name: 'trader', scope: 'trade' } })).json();
  const order = await app.inject({ method: 'POST', url: '/api/v1/ibkr/iserver/account/DU1/orders', headers: { authorization: `Bearer ${trade.token}` }, payload: { orders: [] } });
  t.match([order.statusCode, order.json().details?.reason], [503, 'gateway-stopped'], 'past scope and read-only: on to the gateway');
});

t.test('an app token signs in to the admin UI read-only: it reads, and the API still refuses its changes', async (t) => {
  const d = await startApiDaemon(t, { gateway: { autoStart: false }, api: { authFailureDelayMs: 1 } });
  const app = d.daemon.app;
  const token = (await app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { authorization: `Bearer ${d.token}` }, payload: { name: 'wallboard', scope: 'read' } })).json().token;
  const signIn = await app.inject({ method: 'POST', url: '/api/v1/ui/session', payload: { token } });
  t.equal(signIn.statusCode, 200);
  t.match(signIn.json(), { signedIn: true, role: 'read' });
  const setCookie = signIn.headers['set-cookie'];
  const cookie = (Array.isArray(setCookie) ? setCookie[0] : setCookie ?? '').split(';')[0];
  const headers = { cookie, 'x-csrf-token': signIn.json().csrf };
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/session', headers })).statusCode, 200, 'read views work');
  const change = await app.inject({ method: 'POST', url: '/api/v1/gateway/start', headers, payload: {} });
  t.equal(change.statusCode, 403, 'a change with a read-only session is refused by the scope check');
  t.equal(change.json().code, 'IBGW_FORBIDDEN');
  t.equal(d.daemon.supervisor.status().state, 'stopped');
});
