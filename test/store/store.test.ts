import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import { packageRoot } from '../../daemon/package-root.js';
import { writeFileAtomic } from '../../daemon/atomic-write.js';
import { Store } from '../../daemon/store/store.js';
import { tempDir } from '../helpers/temp-dir.js';

t.test('events and gateway state survive a reopen', async (t) => {
  const d = tempDir(t, 'ibgw-store-');
  const store = new Store({ dataDir: d, maxEvents: 100 });
  await store.open();
  store.record({ type: 'gateway.transition', level: 'info', message: 'stopped → starting', data: { pid: 42 } });
  store.updateGateway({ restarts: 3, lastState: 'running' });
  await store.close();

  const again = new Store({ dataDir: d, maxEvents: 100 });
  await again.open();
  t.equal(again.data.gateway.restarts, 3);
  t.equal(again.events({ type: 'gateway' }).length, 1);
  const next = again.record({ type: 'x', level: 'info', message: 'm' });
  t.equal(next.id, 2, 'ids keep counting');
});

t.test('retention is bounded', async (t) => {
  const store = new Store({ dataDir: tempDir(t, 'ibgw-store-'), maxEvents: 10 });
  await store.open();
  for (let i = 0; i < 25; i++) store.record({ type: 'e', level: 'info', message: String(i) });
  await store.flush();
  t.equal(store.data.events.length, 10);
  t.equal(store.data.events[0].message, '15', 'oldest dropped first');
  const onDisk = JSON.parse(readFileSync(store.file, 'utf8'));
  t.equal(onDisk.events.length, 10);
});

t.test('a corrupt file is moved aside with an event, never silently dropped', async (t) => {
  const d = tempDir(t, 'ibgw-store-');
  writeFileSync(join(d, 'state.json'), '{"version":1,"events":[{"id":1');
  const store = new Store({ dataDir: d, maxEvents: 100 });
  await store.open();
  const moved = readdirSync(d).filter((f) => f.startsWith('state.json.corrupt-'));
  t.equal(moved.length, 1, 'quarantined copy exists');
  t.equal(readFileSync(join(d, moved[0]), 'utf8'), '{"version":1,"events":[{"id":1', 'its content is untouched');
  const ev = store.events({ type: 'store.corrupt' });
  t.equal(ev.length, 1);
  t.match(ev[0].data, { movedTo: join(d, moved[0]) });
  t.ok(JSON.parse(readFileSync(store.file, 'utf8')), 'a valid file was written in its place');
});

t.test('a writer killed mid-write leaves the old or the new file, never a torn one', async (t) => {
  const d = tempDir(t, 'ibgw-store-');
  const file = join(d, 'state.json');
  await writeFileAtomic(file, JSON.stringify({ version: 1, n: 'old' }));
  // A child process writes a large file atomically in a loop and is SIGKILLed while doing it.
  const script = `
    import { writeFileAtomicSync } from ${JSON.stringify(pathToFileURL(join(packageRoot, '../../daemon/atomic-write.js')).href)};
    const big = 'x'.repeat(4 * 1024 * 1024);
    for (let i = 0; ; i++) writeFileAtomicSync(${JSON.stringify(file)}, JSON.stringify({ version: 1, n: i, big }));
  `;
  for (let round = 0; round < 3; round++) {
    spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 300 + round * 137, killSignal: 'SIGKILL' });
    const parsed = JSON.parse(readFileSync(file, 'utf8'));
    t.equal(parsed.version, 1, `round ${round}: the file parses`);
  }
  t.ok(statSync(file).size > 0);
});

t.test('secret files get mode 0600', async (t) => {
  const d = tempDir(t, 'ibgw-store-');
  const file = join(d, 'secret');
  await writeFileAtomic(file, 's3cret', { mode: 0o600 });
  t.equal(statSync(file).mode & 0o777, 0o600);
});

t.test('tailing with sinceId pages forward without skipping events', async (t) => {
  const store = new Store({ dataDir: tempDir(t, 'ibgw-store-'), maxEvents: 100 });
  await store.open();
  for (let i = 0; i < 30; i++) store.record({ type: 'e', level: 'info', message: String(i) });
  const seen: string[] = [];
  let since = 0;
  for (;;) {
    const page = store.events({ sinceId: since, limit: 7 });
    if (page.length === 0) break;
    seen.push(...page.map((e) => e.message));
    since = page[page.length - 1].id;
  }
  t.same(seen, Array.from({ length: 30 }, (_, i) => String(i)), 'every event once, in order');
  t.same(store.events({ limit: 3 }).map((e) => e.message), ['27', '28', '29'], 'without sinceId: the newest');
});
