import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ERR_ACCESS_ENTRY_NOT_FOUND, ERR_ACCESS_LIST_EMPTY, ERR_ACCESS_LOCKOUT, ERR_ACCESS_PATTERN } from '../../daemon/errors.js';
import { DENY_SENTINEL } from '../../daemon/access/guarantees.js';
import type { ServiceEvent } from '../../daemon/events.js';
import { createGateway } from '../../daemon/gateway/index.js';
import { shippedConf, testConfig } from '../fixtures/gateway/config.js';
import { tempDir } from '../helpers/temp-dir.js';

function setup(t: Test, template?: string) {
  const dir = tempDir(t);
  let templatePath: string | null = null;
  if (template !== undefined) {
    templatePath = join(dir, 'template.yaml');
    writeFileSync(templatePath, template);
  }
  const events: ServiceEvent[] = [];
  const restarts: string[] = [];
  const gw = createGateway(testConfig(dir, { tls: { mode: 'gateway' }, conf: { template: templatePath } }), {
    dataDir: dir, onEvent: (e) => events.push(e), requestRestart: (r) => restarts.push(r), watch: false,
  });
  t.teardown(() => gw.close());
  const confPath = join(dir, 'gateway/root/conf.yaml');
  return { dir, gw, access: gw.access!, events, restarts, confPath, read: () => readFileSync(confPath, 'utf8') };
}

t.test('add a CIDR: translated, labelled, one line added, restart requested', async (t) => {
  const { access, restarts, read, events } = setup(t);
  const before = (await access.list()).allow.map((e) => e.pattern);
  t.same(before, ['192.*', '131.216.*', '127.0.0.1']);
  const res = await access.add('allow', '172.17.0.0/16', { label: 'docker bridge' });
  t.match(res, { applied: true, pattern: '172.17.*', translatedFrom: '172.17.0.0/16' });
  t.same(res.diff.split('\n').filter((l) => /^[-+][^-+]/.test(l)), ['+        - 172.17.*']);
  t.equal(read(), shippedConf().replace('        - 127.0.0.1\n', '        - 127.0.0.1\n        - 172.17.*\n'));
  t.same(restarts, ['access list changed: add allow 172.17.*']);
  t.match((await access.list()).allow.at(-1), { pattern: '172.17.*', label: 'docker bridge', valid: true });
  t.match(events.find((e) => e.type === 'access.changed'), { data: { list: 'allow', pattern: '172.17.*' } });
  const again = await access.add('allow', '172.17.*');
  t.equal(again.applied, false, 'adding an entry that is there changes nothing');
  t.equal(restarts.length, 1);
  await t.rejects(access.add('allow', '10.1.16.0/20'), { code: ERR_ACCESS_PATTERN.code });
  await t.rejects(access.remove('allow', '10.9.9.9'), { code: ERR_ACCESS_ENTRY_NOT_FOUND.code });
  const removed = await access.remove('allow', '172.17.0.0/16');
  t.match(removed, { applied: true, pattern: '172.17.*' });
  t.equal(read(), shippedConf());
});

t.test('lockout of the probe address is refused unless forced', async (t) => {
  const { access, read, restarts } = setup(t);
  await t.rejects(access.remove('allow', '127.0.0.1'), { code: ERR_ACCESS_LOCKOUT.code });
  await t.rejects(access.add('deny', '127.*'), { code: ERR_ACCESS_LOCKOUT.code });
  t.equal(read(), shippedConf(), 'nothing written');
  t.same(restarts, []);
  const forced = await access.add('deny', '127.0.0.1', { force: true });
  t.equal(forced.applied, true);
  t.match(forced.lists.probe, { allowed: false, status: 404, list: 'deny' });
});

t.test('dry run shows the diff and writes nothing', async (t) => {
  const { access, read, restarts } = setup(t);
  await access.list();
  const res = await access.add('deny', '10.0.0.0/8', { dryRun: true });
  t.equal(res.applied, false);
  t.match(res.diff, /\+ {8}- 10\.\*/);
  t.equal(read(), shippedConf());
  t.same(restarts, []);
});

t.test('both lists stay present and non-empty', async (t) => {
  const { access, read } = setup(t);
  const res = await access.remove('deny', '212.90.324.10');
  t.same(res.lists.deny.map((e) => e.pattern), [DENY_SENTINEL], 'the last deny entry is replaced by the never-matching sentinel');
  t.match(res.lists.deny[0].label, /never matches/);
  t.match(read(), /deny:\n {8}- 0\.0\.0\.0\n$/);
  await t.rejects(access.remove('deny', DENY_SENTINEL), { code: ERR_ACCESS_LIST_EMPTY.code });
  const added = await access.add('deny', '10.66.0.0/16');
  t.same(added.lists.deny.map((e) => e.pattern), ['10.66.*'], 'a real entry replaces the sentinel');
  await access.remove('allow', '192.*');
  await access.remove('allow', '131.216.*');
  await t.rejects(access.remove('allow', '127.0.0.1', { force: true }), { code: ERR_ACCESS_LIST_EMPTY.code });
});

t.test('a template without lists gets both, labelled', async (t) => {
  const noDeny = shippedConf().replace(/ {6}deny:\n {8}- 212\.90\.324\.10\n/, '');
  const { access, read, events } = setup(t, noDeny);
  const lists = await access.list();
  t.same(lists.deny.map((e) => e.pattern), [DENY_SENTINEL]);
  t.match(lists.deny[0].label, /never matches/);
  t.equal(read(), shippedConf().replace('212.90.324.10', '0.0.0.0'));
  t.ok(events.some((e) => e.type === 'access.guarantee'));

  const noIps = shippedConf().replace(/ {4}ips:[\s\S]*$/, '');
  const other = setup(t, noIps);
  const both = await other.access.list();
  t.same(both.allow.map((e) => e.pattern), ['127.0.0.1']);
  t.same(both.deny.map((e) => e.pattern), [DENY_SENTINEL]);
  t.match(both.probe, { allowed: true });

  const star = setup(t, shippedConf().replace('        - 192.*\n', '        - "*"\n'));
  t.same((await star.access.list()).allow.map((e) => e.pattern), ['131.216.*', '127.0.0.1'], 'a bare * is dropped');
});

t.test('explain and suggestions', async (t) => {
  const { access } = setup(t);
  t.match(await access.explain('172.17.0.2'), { status: 404, list: 'allow', reason: /no allow entry/ });
  t.match(await access.explain('127.0.0.1'), { status: 200 });
  t.ok(access.suggestions().some((s) => s.pattern === '127.*'));
});
