import t from 'tap';
import { createGateway } from '../../daemon/gateway/index.js';
import { createCertificateAuthority } from '../../daemon/tls/certificate-authority.js';
import { createServerCertificate } from '../../daemon/tls/server-certificate.js';
import { seedTls, testConfig } from '../fixtures/gateway/config.js';
import { adminHeaders as auth, buildTestApp } from '../helpers/api-app.js';
import { tempDir } from '../helpers/temp-dir.js';

t.test('access and tls routes over a managed gateway', async (t) => {
  const dir = tempDir(t);
  await seedTls(dir);
  const config = testConfig(dir);
  const gw = createGateway(config, { dataDir: dir, watch: false });
  t.teardown(() => gw.close());
  await gw.launch();
  const { app } = await buildTestApp(t, { config: () => config, access: gw.access, tls: gw.tls });
  const password = gw.tls!.passwords.values().next().value as string;

  t.equal((await app.inject({ method: 'GET', url: '/api/v1/access' })).statusCode, 401, 'admin only');
  const lists = await app.inject({ method: 'GET', url: '/api/v1/access', headers: auth });
  t.equal(lists.statusCode, 200);
  t.match(lists.json(), { allow: [{ pattern: '192.*', label: null, valid: true }], probeAddress: '127.0.0.1', probe: { allowed: true } });

  const add = await app.inject({ method: 'POST', url: '/api/v1/access/allow', headers: auth, payload: { entry: '172.17.0.0/16', label: 'docker' } });
  t.equal(add.statusCode, 200);
  t.match(add.json(), { applied: true, pattern: '172.17.*', translatedFrom: '172.17.0.0/16' });
  t.notOk(add.body.includes(password), 'no password in the diff');

  const refused = await app.inject({ method: 'POST', url: '/api/v1/access/allow', headers: auth, payload: { entry: '10.1.16.0/20' } });
  t.equal(refused.statusCode, 400);
  t.match(refused.json(), { code: 'IBGW_ACCESS_PATTERN', details: { suggestions: ['10.1.16.*'] } });
  const lockout = await app.inject({ method: 'POST', url: '/api/v1/access/allow/remove', headers: auth, payload: { entry: '127.0.0.1' } });
  t.match([lockout.statusCode, lockout.json().code], [409, 'IBGW_ACCESS_LOCKOUT']);
  const badList = await app.inject({ method: 'POST', url: '/api/v1/access/maybe', headers: auth, payload: { entry: '10.*' } });
  t.equal(badList.statusCode, 400);
  const explain = await app.inject({ method: 'GET', url: '/api/v1/access/explain?address=172.18.0.5', headers: auth });
  t.match(explain.json(), { status: 404, allowed: false, list: 'allow' });
  t.ok((await app.inject({ method: 'GET', url: '/api/v1/access/suggestions', headers: auth })).json().suggestions.length > 0);

  const summary = await app.inject({ method: 'GET', url: '/api/v1/tls' });
  t.match(summary.json(), { mode: 'generate', sans: ['localhost', '127.0.0.1'] });
  t.notOk(summary.body.includes(password));
  const ca = await app.inject({ method: 'GET', url: '/api/v1/tls/ca.pem' });
  t.equal(ca.body, await gw.ca());
  t.match(ca.headers['content-type'], /pem/);

  const other = createCertificateAuthority();
  const cert = createServerCertificate(other);
  const check = await app.inject({ method: 'POST', url: '/api/v1/tls/check', headers: auth, payload: { certPem: cert.certPem, keyPem: cert.keyPem } });
  t.match(check.json(), { subject: 'CN=localhost, O=ibgw-supervisor', sans: ['localhost', '127.0.0.1'] });
  const mismatch = await app.inject({ method: 'POST', url: '/api/v1/tls/check', headers: auth, payload: { certPem: cert.certPem, keyPem: other.keyPem } });
  t.match([mismatch.statusCode, mismatch.json().code], [400, 'IBGW_TLS_IMPORT']);
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/tls/renew' })).statusCode, 401);
});

t.test('kind command: 409 not managed', async (t) => {
  const dir = tempDir(t);
  const config = testConfig(dir, { gateway: { kind: 'command', command: ['x'] } });
  const { app } = await buildTestApp(t, { config: () => config, access: null, tls: null });
  const res = await app.inject({ method: 'GET', url: '/api/v1/access', headers: auth });
  t.match([res.statusCode, res.json().code], [409, 'IBGW_GATEWAY_UNMANAGED']);
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/tls' })).statusCode, 409);
});
