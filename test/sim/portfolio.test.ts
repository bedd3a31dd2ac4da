/**
 * The demo portfolio: IBKR's shapes, paging, and values that are the same on every run (two
 * separate processes must agree to the cent).
 */
import t from 'tap';
import { POSITIONS_PER_PAGE, positionsOf } from '../../scripts/sim/portfolio.js';
import { startSim, type Sim } from '../helpers/sim.js';

const simConfig = { rateLimits: { globalPerSec: 0, perEndpoint: { '/portfolio/accounts': null } } };

async function loggedIn(t: Parameters<typeof startSim>[0]): Promise<Sim> {
  const sim = await startSim(t, { simConfig });
  await sim.control('/session/login', { username: 'demo' });
  return sim;
}

t.test('accounts, positions by page, summary, snapshot', async (t) => {
  const sim = await loggedIn(t);
  const iserver = (await sim.request('GET', '/v1/api/iserver/accounts')).json();
  t.match(iserver, { accounts: ['DU1234567'], selectedAccount: 'DU1234567', isPaper: true });
  const accounts = (await sim.request('GET', '/v1/api/portfolio/accounts')).json();
  t.match(accounts, [{ id: 'DU1234567', accountId: 'DU1234567', currency: 'USD', type: String, displayName: 'DU1234567' }]);

  const pages = [];
  for (let page = 0; page < 4; page++) pages.push((await sim.request('GET', `/v1/api/portfolio/DU1234567/positions/${page}`)).json());
  t.same(pages.map((p) => p.length), [POSITIONS_PER_PAGE, POSITIONS_PER_PAGE, 15, 0], 'empty past the end');
  t.match(pages[0][0], {
    acctId: 'DU1234567', conid: Number, contractDesc: String, position: Number, mktPrice: Number, mktValue: Number,
    currency: 'USD', avgCost: Number, unrealizedPnl: Number, realizedPnl: Number, assetClass: 'STK',
  });
  t.equal(new Set(pages.flat().map((p: { conid: number }) => p.conid)).size, 75, 'no position twice');
  t.equal((await sim.request('GET', '/v1/api/portfolio/U9999999/positions/0')).status, 500, 'not the user\'s account');

  const summary = (await sim.request('GET', '/v1/api/portfolio/DU1234567/summary')).json();
  t.ok(Object.keys(summary).length >= 100, `${Object.keys(summary).length} keys`);
  for (const value of Object.values(summary)) t.same(Object.keys(value as object).sort(), ['amount', 'currency', 'isNull', 'severity', 'timestamp', 'value']);
  t.match(summary.netliquidation, { amount: Number, currency: 'USD', isNull: false });

  const conid = pages[0][0].conid;
  const url = `/v1/api/iserver/marketdata/snapshot?conids=${conid},265598&fields=31,84,86,55`;
  const first = (await sim.request('GET', url)).json();
  t.match(first, [{ conid, conidEx: String(conid) }, { conid: 265598 }]);
  t.notOk('31' in first[0], 'the first request for a conid carries no fields (IBKR preflight)');
  const second = (await sim.request('GET', url)).json();
  t.match(second[0], { conid, '31': /^\d+\.\d{2}$/, '84': String, '86': String, '55': pages[0][0].contractDesc });
  t.equal(Number(second[0]['31']), pages[0][0].mktPrice, 'last equals the position\'s market price');
  t.ok(Number(second[0]['84']) < Number(second[0]['86']), 'bid below ask');
  t.equal((await sim.request('GET', '/v1/api/iserver/marketdata/snapshot')).status, 400);
});

t.test('data needs the brokerage session', async (t) => {
  const sim = await startSim(t, { simConfig });
  for (const path of ['/iserver/accounts', '/portfolio/accounts', '/portfolio/DU1234567/positions/0', '/portfolio/DU1234567/summary', '/iserver/marketdata/snapshot?conids=265598']) {
    t.equal((await sim.request('GET', `/v1/api${path}`)).status, 401, path);
  }
  await sim.control('/session/login', {});
  await sim.control('/session/drop-brokerage', {});
  t.equal((await sim.request('GET', '/v1/api/portfolio/accounts')).status, 401, 'SSO alone is not enough');
});

t.test('stable across runs', async (t) => {
  const [a, b] = await Promise.all([loggedIn(t), loggedIn(t)]);
  const path = '/v1/api/portfolio/DU1234567/positions/1';
  t.equal((await a.request('GET', path)).body, (await b.request('GET', path)).body);
  t.same(positionsOf('DU1234567'), positionsOf('DU1234567'));
  t.not(JSON.stringify(positionsOf('DU1234567')[0]), JSON.stringify(positionsOf('U7654321')[0]), 'seeded by account');
});
