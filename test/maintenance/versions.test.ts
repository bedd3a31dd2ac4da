/**
 * Gateway versions: install a distribution from a zip (own reader, no system unzip) or a
 * folder, after checking its layout and reading its build from the jar's manifest; hostile
 * archives refused whole; the last N kept; the update check with conditional requests
 * against a local HTTP server.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import type { ServiceEvent } from '../../daemon/events.js';
import { parseManifest } from '../../daemon/maintenance/versions/distribution.js';
import { UpdateCheck } from '../../daemon/maintenance/versions/update-check.js';
import { GatewayVersions } from '../../daemon/maintenance/versions/version-store.js';
import { distributionDir, distributionEntries, distributionZip } from '../helpers/distributions.js';
import { tempDataDir } from '../helpers/maintenance-harness.js';
import { writeZip } from '../../testkit/zip-writer.js';

function store(t: Parameters<typeof tempDataDir>[0], keep = 3) {
  const dir = tempDataDir(t);
  const events: ServiceEvent[] = [];
  let clock = Date.parse('2025-06-02T10:00:00Z');
  const versions = new GatewayVersions({ dir: join(dir, 'versions'), keep: () => keep, enabled: () => true, onEvent: (e) => events.push(e), now: () => (clock += 1000) });
  return { dir, versions, events };
}

t.test('install from a zip: layout checked, build from the manifest, modes kept, staged; twice is once', async (t) => {
  const { dir, versions, events } = store(t);
  const zip = distributionZip(join(dir, 'clientportal.gw.zip'), '20230424154245');
  const { version, installed } = await versions.install(zip);
  t.equal(installed, true);
  t.match(version, { id: '20230424154245', build: '20230424154245', builtAt: '2023-04-24T19:42:45.000Z', implementationVersion: 'ibgroup.web.core.iblink.router.clientportal.gw-20230424154245', jar: 'dist/ibgroup.web.core.iblink.router.clientportal.gw.jar' });
  const home = join(dir, 'versions', '20230424154245');
  t.ok(existsSync(join(home, 'root/conf.yaml')), 'the top folder of the archive is the version folder');
  t.equal(statSync(join(home, 'bin/run.sh')).mode & 0o111, 0o111, 'bin/run.sh stays executable');
  t.match(versions.list(), { active: null, staged: '20230424154245', versions: [{ id: '20230424154245', active: false, home }] });
  t.match(events, [{ type: 'gateway.version-installed', data: { id: '20230424154245' } }]);
  t.match(await versions.install(zip), { installed: false, version: { id: '20230424154245' } }, 'the same build again changes nothing');
  t.equal(versions.activeHome(), null, 'installing does not switch');
  await versions.use('20230424154245', 'test');
  t.equal(versions.activeHome(), home);
  t.equal(new GatewayVersions({ dir: join(dir, 'versions'), keep: () => 3, enabled: () => true }).activeHome(), home, 'the choice survives a restart');
});

t.test('install from a folder; a jar without a manifest gets a content id', async (t) => {
  const { dir, versions } = store(t);
  const src = distributionDir(join(dir, 'unpacked'), null);
  const { version } = await versions.install(src);
  t.match(version.id, /^sha-[0-9a-f]{12}$/);
  t.equal(version.build, null);
  t.ok(existsSync(join(src, 'bin/run.sh')), 'the source folder is left alone');
  t.ok(existsSync(join(dir, 'versions', version.id, 'build/fake-jvm.sh')));
});

t.test('a folder that is not a distribution is refused naming what is missing', async (t) => {
  const { dir, versions } = store(t);
  const cases: Array<[string, string]> = [['bin/run.sh', 'bin/run.sh'], ['root/conf.yaml', 'root/conf.yaml'], ['build', 'build/'], ['dist', 'dist/*.jar']];
  for (const [remove, missing] of cases) {
    const src = distributionDir(join(dir, `case-${missing.replace(/\W/g, '')}`), '20240101000000');
    rmSync(join(src, remove), { recursive: true });
    await t.rejects(versions.install(src), { code: 'IBGW_VERSION_LAYOUT', details: { missing } }, `without ${remove}`);
  }
  await t.rejects(versions.install(join(dir, 'nope.zip')), { code: 'IBGW_VERSION_ARCHIVE' });
  t.same(versions.list().versions, [], 'nothing installed');
  t.same(readdir(join(dir, 'versions')).filter((n) => n.startsWith('.incoming')), [], 'no staging folder left behind');
});

function readdir(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}

t.test('hostile archives are refused whole: ../, absolute names, symlinks, bad CRC, not a zip', async (t) => {
  const { dir, versions } = store(t);
  const good = distributionEntries('20240101000000', 'sim');
  const cases: Array<[string, Parameters<typeof writeZip>[1]]> = [
    ['zip-slip', [...good, { name: '../escaped.txt', data: 'x' }]],
    ['nested zip-slip', [...good, { name: 'root/../../escaped.txt', data: 'x' }]],
    ['absolute', [...good, { name: '/tmp/escaped.txt', data: 'x' }]],
    ['symlink', [...good, { name: 'root/link', data: '/etc/passwd', symlink: true }]],
    ['bad crc', good.map((e) => (e.name === 'root/conf.yaml' ? { ...e, badCrc: true } : e))],
  ];
  for (const [what, entries] of cases) {
    const zip = writeZip(join(dir, `${what.replace(/\W/g, '')}.zip`), entries);
    await t.rejects(versions.install(zip), { code: 'IBGW_VERSION_ARCHIVE' }, what);
  }
  t.notOk(existsSync(join(dir, 'escaped.txt')) || existsSync(join(dir, 'versions', 'escaped.txt')), 'nothing written outside');
  mkdirSync(join(dir, 'x'));
  const notZip = join(dir, 'x', 'not.zip');
  writeFileSync(notZip, 'PK? no');
  await t.rejects(versions.install(notZip), { code: 'IBGW_VERSION_ARCHIVE' }, 'not a zip');
  t.same(versions.list().versions, []);
});

t.test('the last N are kept, never the active one or its predecessor', async (t) => {
  const { dir, versions, events } = store(t, 1);
  const ids = ['20240101000000', '20240201000000', '20240301000000', '20240401000000'];
  await versions.install(distributionZip(join(dir, 'a.zip'), ids[0]));
  await versions.use(ids[0], 'x');
  await versions.install(distributionZip(join(dir, 'b.zip'), ids[1]));
  await versions.use(ids[1], 'x'); // active b, previous a
  await versions.install(distributionZip(join(dir, 'c.zip'), ids[2]));
  await versions.install(distributionZip(join(dir, 'd.zip'), ids[3]));
  t.same(versions.list().versions.map((v) => v.id).sort(), [ids[0], ids[1], ids[3]].sort(), 'c went: neither the newest, the active one nor its predecessor');
  t.notOk(existsSync(join(dir, 'versions', ids[2])));
  t.match(events.filter((e) => e.type === 'gateway.version-pruned'), [{ data: { ids: [ids[2]] } }]);
  t.equal(versions.staged()?.id, ids[3], 'staged: the newest that is not active');
  await versions.markFailed(ids[3], 'gate failed');
  t.equal(versions.staged(), null, 'a failed version is never staged again, and an older one is no update');
});

t.test('manifest parsing: continuation lines, CRLF', async (t) => {
  t.same(parseManifest('A: 1\r\nImplementation-Version: abc\r\n -123\r\n\r\nName: x\r\nB: 2\r\n'), { A: '1', 'Implementation-Version': 'abc-123', Name: 'x', B: '2' });
});

t.test('update check: conditional requests against a local server; a new build is staged and announced', async (t) => {
  const { dir, versions, events } = store(t);
  const builds = ['20250101000000', '20250201000000'];
  let current = 0;
  const seen: Array<Record<string, string | undefined>> = [];
  const server = createServer((req, res) => {
    seen.push({ inm: req.headers['if-none-match'] as string | undefined, ims: req.headers['if-modified-since'] as string | undefined, url: req.url });
    const etag = `"build-${current}"`;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304).end();
      return;
    }
    const body = readFileSync(distributionZip(join(dir, `served-${current}.zip`), builds[current]));
    res.writeHead(200, { etag, 'last-modified': new Date(Date.UTC(2025, current, 1)).toUTCString(), 'content-type': 'application/zip' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/clientportal.gw.zip?token=s3cret`;
  const check = new UpdateCheck({ config: () => ({ url, intervalMinutes: 60, timeoutMs: 5000 }), versions, dir: join(dir, 'versions'), onEvent: (e) => events.push(e) });

  t.match(await check.checkNow(), { status: 'installed', id: builds[0] });
  t.match(seen[0], { inm: undefined, ims: undefined });
  t.match(events.filter((e) => e.type === 'gateway.update-available'), [{ data: { id: builds[0], build: builds[0] } }]);
  t.match(await check.checkNow(), { status: 'not-modified' });
  t.match(seen[1], { inm: '"build-0"', ims: 'Wed, 01 Jan 2025 00:00:00 GMT' }, 'ETag and Last-Modified sent back');
  current = 1;
  t.match(await check.checkNow(), { status: 'installed', id: builds[1] });
  t.equal(versions.staged()?.id, builds[1]);
  t.notOk(JSON.stringify(events).includes('s3cret'), 'the URL query (a token) never reaches events');
  t.equal(statSync(join(dir, 'versions/update-check.json')).mode & 0o777, 0o600);
  const off = new UpdateCheck({ config: () => ({ url: null, intervalMinutes: 60, timeoutMs: 5000 }), versions, dir: join(dir, 'versions') });
  t.match(await off.checkNow(), { status: 'off' });
  const broken = new UpdateCheck({ config: () => ({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`, intervalMinutes: 60, timeoutMs: 5000 }), versions: { install: async () => { throw new Error('not a distribution'); } }, dir: join(dir, 'versions'), onEvent: (e) => events.push(e) });
  current = 0;
  await t.rejects(broken.checkNow(), { code: 'IBGW_UPDATE_CHECK' });
  t.match(events.at(-1), { type: 'gateway.update-check-failed' });
});
