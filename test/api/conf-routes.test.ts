/**
 * /api/v1/conf* through the whole API (buildApp) over a real managed gateway conf in a temp
 * dir: what an admin sees, previews, applies and rolls back, and how bad input is answered.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ERR_BAD_REQUEST, ERR_CONF_INVALID, ERR_CONF_KEY_REJECTED, ERR_CONF_VERSION_NOT_FOUND, ERR_GATEWAY_UNMANAGED, ERR_UNAUTHORIZED } from '../../daemon/errors.js';
import { createGateway } from '../../daemon/gateway/index.js';
import { seedTls, testConfig } from '../fixtures/gateway/config.js';
import { adminHeaders, buildTestApp } from '../helpers/api-app.js';
import { tempDir } from '../helpers/temp-dir.js';

const headers = adminHeaders;

async function managedConf(t: Test) {
  const dir = tempDir(t);
  await seedTls(dir);
  const config = testConfig(dir, { conf: { keepVersions: 5 } });
  const restarts: string[] = [];
  const gw = createGateway(config, { dataDir: dir, watch: false, requestRestart: (reason) => restarts.push(reason) });
  t.teardown(() => gw.close());
  await gw.launch();
  const { app } = await buildTestApp(t, { config: () => config, conf: gw.conf, access: gw.access, tls: gw.tls });
  const password = gw.tls!.passwords.values().next().value as string;
  const confPath = join(dir, 'gateway/root/conf.yaml');
  return { app, restarts, password, confPath, onDisk: () => readFileSync(confPath, 'utf8') };
}

t.test('show, preview, apply, versions, rollback', async (t) => {
  const { app, restarts, password, onDisk } = await managedConf(t);
  const rendered = onDisk();

  const show = await app.inject({ method: 'GET', url: '/api/v1/conf', headers });
  t.equal(show.statusCode, 200);
  const text = show.json().text as string;
  t.match(text, /sslPwd: "\[redacted\]"/, 'the keystore password is redacted');
  t.notOk(show.body.includes(password));

  const proposed = text.replace('authDelay: 3000', 'authDelay: 1200');
  const preview = await app.inject({ method: 'POST', url: '/api/v1/conf/preview', headers, payload: { text: proposed } });
  t.equal(preview.statusCode, 200);
  t.match(preview.json(), { changed: true, problems: [], adjusted: ['sslPwd'] });
  t.same(preview.json().diff.split('\n').filter((l: string) => /^[-+][^-+]/.test(l)), ['-    authDelay: 3000', '+    authDelay: 1200'], 'the diff shows the change');
  t.notOk(preview.body.includes(password), 'no password in the diff');
  t.equal(onDisk(), rendered, 'a preview writes nothing');
  t.same(restarts, [], 'and restarts nothing');

  const apply = await app.inject({ method: 'POST', url: '/api/v1/conf/apply', headers, payload: { text: proposed, reason: 'faster login' } });
  t.equal(apply.statusCode, 200);
  t.match(apply.json(), { changed: true, version: 1 });
  t.equal(onDisk(), rendered.replace('authDelay: 3000', 'authDelay: 1200'), 'conf.yaml written, with the real password kept');
  t.same(restarts, ['faster login'], 'a gateway restart was requested');

  const again = await app.inject({ method: 'POST', url: '/api/v1/conf/apply', headers, payload: { text: proposed } });
  t.match(again.json(), { changed: false });
  t.equal(restarts.length, 1, 'no restart for no change');

  const versions = await app.inject({ method: 'GET', url: '/api/v1/conf/versions', headers });
  t.equal(versions.statusCode, 200);
  t.match(versions.json().versions, [{ id: 1, reason: String, writtenAt: String, replacedAt: String }]);

  const rollback = await app.inject({ method: 'POST', url: '/api/v1/conf/rollback/1', headers });
  t.equal(rollback.statusCode, 200);
  t.match(rollback.json(), { changed: true, version: 2 });
  t.match(rollback.json().diff, /-\s+authDelay: 1200\n\+\s+authDelay: 3000/);
  t.equal(onDisk(), rendered, 'the earlier conf is back, byte for byte');
  t.equal(restarts.at(-1), 'rollback to version 1');
  t.same((await app.inject({ method: 'GET', url: '/api/v1/conf/versions', headers })).json().versions.map((v: { id: number }) => v.id), [2, 1]);
});

t.test('bad input: 4xx {code, message}, nothing written', async (t) => {
  const { app, restarts, onDisk } = await managedConf(t);
  const before = onDisk();
  const cases: Array<[string, string, unknown, number, string]> = [
    ['no token', '/api/v1/conf/apply', { text: 'a: 1\n' }, 401, ERR_UNAUTHORIZED.code],
    ['no text', '/api/v1/conf/apply', {}, 400, ERR_BAD_REQUEST.code],
    ['empty text', '/api/v1/conf/preview', { text: '' }, 400, ERR_BAD_REQUEST.code],
    ['unknown field', '/api/v1/conf/apply', { text: 'a: 1\n', force: true }, 400, ERR_BAD_REQUEST.code],
    ['not YAML', '/api/v1/conf/apply', { text: 'listenPort: [\n' }, 400, ERR_CONF_INVALID.code],
    ['a key the gateway rejects', '/api/v1/conf/apply', { text: `${before}    bogus: 1\n` }, 400, ERR_CONF_KEY_REJECTED.code],
    ['rollback to a version that never was', '/api/v1/conf/rollback/99', undefined, 404, ERR_CONF_VERSION_NOT_FOUND.code],
    ['rollback id not a number', '/api/v1/conf/rollback/latest', undefined, 400, ERR_BAD_REQUEST.code],
    ['rollback id 0', '/api/v1/conf/rollback/0', undefined, 400, ERR_BAD_REQUEST.code],
  ];
  for (const [what, url, payload, status, code] of cases) {
    const res = await app.inject({ method: 'POST', url, headers: what === 'no token' ? {} : headers, ...(payload === undefined ? {} : { payload: payload as object }) });
    t.equal(res.statusCode, status, `${what}: ${status}`);
    t.match(res.json(), { code, message: String }, `${what}: ${code}`);
  }
  const preview = await app.inject({ method: 'POST', url: '/api/v1/conf/preview', headers, payload: { text: `${before}    bogus: 1\n` } });
  t.equal(preview.statusCode, 200, 'a preview reports problems instead of refusing');
  t.match(preview.json().problems, [{ key: 'bogus' }]);
  t.equal(onDisk(), before, 'nothing written');
  t.same(restarts, [], 'nothing restarted');
});

t.test('kind command: the daemon manages no conf.yaml (409)', async (t) => {
  const dir = tempDir(t);
  const config = testConfig(dir, { gateway: { kind: 'command', command: ['x'] } });
  const { app } = await buildTestApp(t, { config: () => config, conf: null });
  for (const [method, url] of [['GET', '/api/v1/conf'], ['GET', '/api/v1/conf/versions'], ['POST', '/api/v1/conf/rollback/1']] as const) {
    const res = await app.inject({ method, url, headers });
    t.match([res.statusCode, res.json().code], [409, ERR_GATEWAY_UNMANAGED.code], `${method} ${url}`);
  }
});
