import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { ServiceEvent } from '../../daemon/events.js';
import { createGateway } from '../../daemon/gateway/index.js';
import { waitFor } from '../../testkit/wait-for.js';
import { shippedConf, testConfig } from '../fixtures/gateway/config.js';
import { tempDir } from '../helpers/temp-dir.js';

async function setup(t: { teardown(fn: () => unknown): void }, driftPolicy: 'adopt' | 'restore') {
  const dir = tempDir(t);
  const templatePath = join(dir, 'template.yaml');
  writeFileSync(templatePath, shippedConf());
  const events: ServiceEvent[] = [];
  const restarts: string[] = [];
  const gw = createGateway(testConfig(dir, { tls: { mode: 'gateway' }, conf: { template: templatePath, driftPolicy } }), {
    dataDir: dir, onEvent: (e) => events.push(e), requestRestart: (r) => restarts.push(r), watch: { stabilityMs: 50 },
  });
  t.teardown(() => gw.close());
  await gw.launch();
  const confPath = join(dir, 'gateway/root/conf.yaml');
  const drifts = () => events.filter((e) => e.type === 'conf.drift');
  return { gw, events, restarts, confPath, templatePath, drifts, read: () => readFileSync(confPath, 'utf8') };
}

t.test('policy adopt: a valid outside edit is adopted, an invalid one restored', async (t) => {
  const s = await setup(t, 'adopt');
  // The daemon's own writes are not drift.
  await s.gw.access!.add('allow', '10.20.*');
  const managed = s.read();
  const edited = managed.replace('authDelay: 3000', 'authDelay: 2000');
  writeFileSync(s.confPath, edited);
  await waitFor(() => s.drifts().length === 1, 5000, 'the adopt event');
  t.match(s.drifts()[0], { level: 'info', data: { action: 'adopted', keys: ['authDelay'] } });
  t.same(s.restarts, ['access list changed: add allow 10.20.*', 'conf changed']);
  t.equal(s.read(), edited, 'kept');
  t.match(await s.gw.conf!.versions(), [{ reason: 'access list changed: add allow 10.20.*' }], 'the replaced content is a version');

  writeFileSync(s.confPath, edited + '    notAGatewayKey: true\n');
  await waitFor(() => s.drifts().length === 2, 5000, 'the restore event');
  t.match(s.drifts()[1], { level: 'warn', data: { action: 'restored', problems: [{ key: 'notAGatewayKey' }] } });
  await waitFor(() => s.read() === edited, 5000, 'the file restored');
  t.equal(s.restarts.length, 2, 'no restart for a refused edit');

  writeFileSync(s.confPath, edited.replace(/ {6}deny:\n {8}- 212\.90\.324\.10\n/, ''));
  await waitFor(() => s.drifts().length === 3, 5000, 'the restore event');
  t.match(s.drifts()[2].message, /ips\.deny is missing: the gateway would turn IP filtering off/);
  await waitFor(() => s.read() === edited, 5000, 'the file restored');

  rmSync(s.confPath);
  await waitFor(() => s.drifts().length === 4, 5000, 'the delete event');
  await waitFor(() => { try { return s.read() === edited; } catch { return false; } }, 5000, 'the file restored');
  // The restores themselves did not count as drift.
  t.equal(s.drifts().length, 4);
});

t.test('policy restore: even a valid edit is undone', async (t) => {
  const s = await setup(t, 'restore');
  const managed = s.read();
  writeFileSync(s.confPath, managed.replace('ccp: false', 'ccp: true'));
  await waitFor(() => s.drifts().length === 1, 5000, 'the restore event');
  t.match(s.drifts()[0], { data: { action: 'restored', keys: ['ccp'] } });
  await waitFor(() => s.read() === managed, 5000, 'the file restored');
  t.same(s.restarts, []);
});

t.test('a template edit is rendered, keeping the managed lists', async (t) => {
  const s = await setup(t, 'adopt');
  await s.gw.access!.add('allow', '10.20.*');
  writeFileSync(s.templatePath, shippedConf().replace('authDelay: 3000', 'authDelay: 500'));
  await waitFor(() => s.restarts.includes('conf template changed'), 5000, 'the template re-render');
  t.match(s.read(), /authDelay: 500\n/);
  t.match(s.read(), /- 10\.20\.\*\n/);
  writeFileSync(s.templatePath, shippedConf() + '    nope: 1\n');
  await waitFor(() => s.events.some((e) => e.type === 'conf.template'), 5000, 'the template refusal');
  t.notMatch(s.read(), /nope/);
  t.equal(s.drifts().length, 0, 'the daemon\'s re-render is not drift');
});

t.test('a delete right after each restore is seen: the folder is watched, not the replaced inode', async (t) => {
  const s = await setup(t, 'restore');
  const managed = s.read();
  for (let round = 1; round <= 6; round++) {
    writeFileSync(s.confPath, managed.replace('ccp: false', 'ccp: true'));
    await waitFor(() => s.drifts().length === 2 * round - 1, 5000, `round ${round}: the restore event`);
    // The instant the restore's rename lands, delete it again.
    await waitFor(() => { try { return s.read() === managed; } catch { return false; } }, 5000, `round ${round}: the file restored`, 2);
    rmSync(s.confPath);
    await waitFor(() => s.drifts().length === 2 * round, 5000, `round ${round}: the delete event`);
    await waitFor(() => { try { return s.read() === managed; } catch { return false; } }, 5000, `round ${round}: restored after the delete`);
  }
  t.equal(s.drifts().length, 12, 'each edit and each delete once');
  // Other files in the conf's folder are not the conf.
  writeFileSync(join(s.confPath, '..', 'other.yaml'), 'ccp: true\n');
  writeFileSync(join(s.confPath, '..', '.conf.yaml.tmp-123'), 'ccp: true\n');
  rmSync(join(s.confPath, '..', '.conf.yaml.tmp-123'));
  writeFileSync(s.confPath, managed.replace('ccp: false', 'ccp: true'));
  await waitFor(() => s.drifts().length === 13, 5000, 'the next edit of the conf itself');
  t.equal(s.drifts().length, 13, 'nothing for the other files');
  t.same(s.restarts, []);
});
