import { request } from 'node:http';
import t from 'tap';
import { startApiDaemon } from '../helpers/api-daemon.js';
import { waitFor } from '../../testkit/wait-for.js';

function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const { host, pathname } = new URL(url);
  const path = url.slice(url.indexOf(pathname.slice(0, 8)));
  return new Promise((resolve, reject) => {
    request({ host: host.split(':')[0], port: Number(host.split(':')[1]), path, headers }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).end();
  });
}

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

t.test('503 with a reason and Retry-After while the gateway cannot answer; read-only; session paths; odd paths', async (t) => {
  const windowStart = Date.now() - 5 * 60_000;
  const d = await startApiDaemon(t, {
    gateway: { autoStart: false },
    session: { resets: { daily: { start: hhmm(windowStart), durationMin: 60, timeZone: 'UTC' }, weekly: null } },
  });
  const app = d.daemon.app;
  const auth = { authorization: `Bearer ${d.token}` };
  const get = (path: string, headers: Record<string, string> = auth) => app.inject({ method: 'GET', url: `/api/v1/ibkr${path}`, headers });

  t.equal((await get('/portfolio/accounts', {})).statusCode, 401, 'a token is needed');

  const down = await get('/portfolio/accounts');
  t.equal(down.statusCode, 503);
  t.match(down.json(), { code: 'IBGW_IBKR_UNAVAILABLE', details: { reason: 'gateway-stopped', maintenance: { reason: /IBKR daily reset/ } } });
  const end = Date.parse(down.json().details.until);
  t.ok(end > Date.now() + 40 * 60_000, 'the window\'s end is known');
  const retryAfter = Number(down.headers['retry-after']);
  t.ok(Math.abs(retryAfter - (end - Date.now()) / 1000) < 60, `Retry-After ${retryAfter} s is the window's end`);

  await d.daemon.supervisor.start('test');
  await d.waitGateway('running');
  // Not logged in, inside the window: maintenance, until its end.
  const loggedOut = await waitFor(async () => {
    const res = await get('/iserver/accounts');
    return res.json().details?.reason === 'maintenance' ? res : null;
  }, 10_000, 'the maintenance verdict');
  t.equal(loggedOut.statusCode, 503);
  t.ok(Number(loggedOut.headers['retry-after']) > 40 * 60);

  const post = await app.inject({ method: 'POST', url: '/api/v1/ibkr/iserver/account/DU1234567/orders', headers: auth, payload: { orders: [] } });
  t.match([post.statusCode, post.json().code], [403, 'IBGW_IBKR_READ_ONLY'], 'read-only by default');
  for (const path of ['/logout', '/iserver/reauthenticate', '/iserver/auth/ssodh/init', '/LOGOUT']) {
    const res = await get(path);
    t.match([res.statusCode, res.json().code], [403, 'IBGW_IBKR_SESSION_PATH'], `${path} stays the keeper's`);
  }
  for (const path of ['/portfolio//accounts', '/a/%2Fb', '/a/b%00c', '/a/%5C', '/']) {
    const res = await get(path);
    t.match([res.statusCode, res.json().code], [400, 'IBGW_IBKR_PATH'], `${path} refused`);
  }
  const broken = await get('/a/%E0%A4%A');
  t.match([broken.statusCode, broken.json().code], [400, 'IBGW_BAD_URL'], 'a broken escape is refused by the router');
  // inject() and fetch() resolve %2e%2e themselves (WHATWG URL); an app's raw request need not.
  const dots = await rawGet(`${d.daemon.apiUrl}/api/v1/ibkr/portfolio/%2e%2e/accounts`, auth);
  t.match([dots.status, JSON.parse(dots.body).code], [400, 'IBGW_IBKR_PATH'], 'encoded dot segments are refused');
  const encoded = await get('/logou%74');
  t.equal(encoded.json().code, 'IBGW_IBKR_SESSION_PATH', 'an encoded name is the same name');

  const doc = (await app.inject({ method: 'GET', url: '/api/docs/json' })).json();
  t.equal(doc.paths['/api/v1/ibkr/{path}'].get['x-ibgw-scope'], 'read');
  t.equal(doc.paths['/api/v1/ibkr/{path}'].post['x-ibgw-scope'], 'trade');
});
