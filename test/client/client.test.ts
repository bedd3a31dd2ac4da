import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import { AuthenticationFailedError, ConnectionRefusedError, IbgwClient, RequestError } from '../../client/index.js';
import { startApiDaemon } from '../helpers/api-daemon.js';
import { freePort } from '../../testkit/ports.js';

const run = promisify(execFile);
const EXAMPLE = fileURLToPath(new URL('../../examples/portfolio.mjs', import.meta.url));

t.test('the shipped client against the daemon and the simulated gateway', async (t) => {
  const d = await startApiDaemon(t);
  await d.waitGateway('running');
  const client = new IbgwClient({ baseUrl: d.daemon.apiUrl, token: d.token, timeoutMs: 20_000 });

  t.match(await client.status(), { gateway: { state: 'running' } });
  const notYet = await client.testConnection();
  t.match(notYet, { success: false, error: /^Authentication failed: the IBKR session is/ }, 'logged out: the guide\'s error');

  const early = await client.waitUntilReady({ timeoutMs: 300, intervalMs: 100 }).catch((e) => e);
  t.ok(early instanceof AuthenticationFailedError, 'not logged in yet: Authentication failed');

  // Ready once someone logs in, while the app waits.
  const ready = client.waitUntilReady({ timeoutMs: 90_000, intervalMs: 200 });
  ready.catch(() => undefined); // awaited below; a loaded machine may take a while to log in
  await d.login();
  t.match(await ready, { success: true, gateway: 'running', session: 'authenticated' });
  const notReady = await new IbgwClient({ baseUrl: d.daemon.apiUrl, token: d.token }).waitUntilReady({ timeoutMs: 1 }).catch((e) => e);
  t.notOk(notReady instanceof Error, 'ready at once when ready');

  const portfolio = await client.getPortfolio();
  t.equal(portfolio.accountId, 'DU1234567');
  t.equal(portfolio.positions.length, 75, 'every page');
  t.equal(portfolio.pages, 3);
  t.ok(portfolio.summary.netliquidation, 'the summary');
  const counters = (await d.control('/state')).counters as Record<string, number>;
  await client.getPortfolio('DU1234567');
  t.same((await d.control('/state')).counters, counters, 'the second time from the cache: no gateway call');
  const unknown = await client.getPortfolio('U0000000').catch((e) => e);
  t.ok(unknown instanceof RequestError);
  t.match([unknown.status, unknown.code], [404, 'IBGW_IBKR_ACCOUNT']);
  t.match(await client.ibkr('/iserver/accounts'), { accounts: ['DU1234567'] });

  const { stdout } = await run(process.execPath, [EXAMPLE], { env: { ...process.env, NODE_OPTIONS: '', IBGW_URL: d.daemon.apiUrl, IBGW_TOKEN: d.token } });
  t.match(stdout, /account DU1234567: 75 positions in 3 pages, net liquidation \d/, 'the README example runs');

  const wrong = await new IbgwClient({ baseUrl: d.daemon.apiUrl, token: 'not-a-token' }).getPortfolio().catch((e) => e);
  t.ok(wrong instanceof AuthenticationFailedError);
  t.match(wrong.message, /^Authentication failed/);

  await d.daemon.supervisor.stop('test');
  t.match(await client.testConnection(), { success: false, error: /^Connection refused: the gateway is stopped/ });
  const down = await client.getPortfolio().catch((e) => e);
  t.ok(down instanceof ConnectionRefusedError, 'the gateway down is the guide\'s Connection refused');
  t.ok(down.retryAfter > 0, 'with Retry-After');
  const waited = await client.waitUntilReady({ timeoutMs: 300, intervalMs: 100 }).catch((e) => e);
  t.ok(waited instanceof ConnectionRefusedError);
});

t.test('no daemon: Connection refused', async (t) => {
  const port = await freePort();
  const err = await new IbgwClient({ baseUrl: `http://127.0.0.1:${port}` }).status().catch((e) => e);
  t.ok(err instanceof ConnectionRefusedError);
  t.match(err.message, /^Connection refused: no daemon at/);
  t.equal(err.code, 'CONNECTION_REFUSED');
});
