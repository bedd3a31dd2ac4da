/**
 * `when: "next-window"` on the conf, allow-list and certificate routes: the change is checked
 * now (a bad one is refused now), staged (202), listed without its secrets, and droppable;
 * nothing reaches the gateway's conf until a window applies it.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { createGateway } from '../../daemon/gateway/index.js';
import { changeTargets } from '../../daemon/services/maintenance-targets.js';
import { seedTls, testConfig } from '../fixtures/gateway/config.js';
import { auth, buildMaintenanceApp } from '../helpers/maintenance-app.js';
import { maintenanceHarness, tempDataDir } from '../helpers/maintenance-harness.js';

t.test('staging through the conf, access and tls routes', async (t) => {
  const dataDir = tempDataDir(t);
  await seedTls(dataDir);
  const config = testConfig(dataDir);
  const gw = createGateway(config, { dataDir, watch: false });
  t.teardown(() => gw.close());
  await gw.launch();
  const h = await maintenanceHarness(t, { start: Date.now(), dataDir, targets: () => changeTargets(gw, null) });
  const services = { config: () => config, access: gw.access, tls: gw.tls, conf: gw.conf };
  const app = await buildMaintenanceApp(t, h.store, { maintenance: () => h.service, versions: () => null }, services);
  const post = (url: string, payload: object) => app.inject({ method: 'POST', url, headers: auth, payload });
  const confBefore = await gw.conf!.managed.read();
  const password = JSON.parse(readFileSync(join(dataDir, 'tls/keystore.json'), 'utf8')).password as string;

  const allow = await post('/api/v1/access/allow', { entry: '10.30.0.0/16', label: 'lab', when: 'next-window' });
  t.equal(allow.statusCode, 202);
  t.match(allow.json(), { pending: { kind: 'access', op: 'add', list: 'allow', summary: 'add allow 10.30.0.0/16', createdBy: 'admin', diff: /\+ +- 10\.30\.\*/ } });
  const refused = await post('/api/v1/access/allow', { entry: '10.1.16.0/20', when: 'next-window' });
  t.equal(refused.statusCode, 400, 'a bad entry is refused when staged');
  t.equal(refused.json().code, 'IBGW_ACCESS_PATTERN');
  const lockout = await post('/api/v1/access/deny', { entry: '127.0.0.1', when: 'next-window' });
  t.equal(lockout.json().code, 'IBGW_ACCESS_LOCKOUT', 'the probe guarantee is checked at staging too');

  const conf = await post('/api/v1/conf/apply', { text: confBefore!.replace('ip2loc: "US"', 'ip2loc: "CH"'), reason: 'geo', when: 'next-window' });
  t.equal(conf.statusCode, 202);
  t.match(conf.json(), { pending: { kind: 'conf', summary: /conf\.yaml change \(geo; replaces the whole conf/ } });
  t.equal((await post('/api/v1/conf/rollback/999', { when: 'next-window' })).json().code, 'IBGW_CONF_INVALID');
  const renew = await post('/api/v1/tls/renew', { when: 'next-window' });
  t.equal(renew.statusCode, 202);
  t.match(renew.json(), { pending: { kind: 'tls-renew' } });

  t.equal(await gw.conf!.managed.read(), confBefore, 'nothing applied');
  const list = await app.inject({ method: 'GET', url: '/api/v1/maintenance/pending', headers: auth });
  t.same(list.json().pending.map((p: { kind: string }) => p.kind), ['access', 'conf', 'tls-renew']);
  t.notOk(list.body.includes('"text"'), 'the staged conf text is not served');
  t.notOk(list.body.includes(password) || allow.body.includes(password) || conf.body.includes(password), 'no keystore password anywhere');
  t.equal(statSync(join(dataDir, 'maintenance/pending.json')).mode & 0o777, 0o600, 'the queue file is 0600 (a staged conf may hold secrets)');

  const id = allow.json().pending.id as string;
  t.match((await app.inject({ method: 'DELETE', url: `/api/v1/maintenance/pending/${id}`, headers: auth })).json(), { removed: { id } });
  t.equal(h.service.pending.count(), 2);
  t.equal((await app.inject({ method: 'DELETE', url: `/api/v1/maintenance/pending/${id}`, headers: auth })).statusCode, 404);

  const now = await post('/api/v1/access/allow', { entry: '10.31.0.0/16' });
  t.equal(now.statusCode, 200, 'without when: applied at once, as before');
  t.match(now.json(), { applied: true });

  const bare = await buildMaintenanceApp(t, h.store, { maintenance: () => null, versions: () => null }, services);
  const unavailable = await bare.inject({ method: 'POST', url: '/api/v1/tls/renew', headers: auth, payload: { when: 'next-window' } });
  t.equal(unavailable.statusCode, 409);
  t.equal(unavailable.json().code, 'IBGW_MAINTENANCE_UNAVAILABLE');
});
