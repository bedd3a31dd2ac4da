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
  t.equal((await again.events({ type: 'gateway' })).length, 1);
  const next = again.record({ type: 'x', level: 'info', message: 'm' });
  t.equal(next.id, 2, 'ids keep counting');
});

t.test('retention is bounded', async (t) => {
  const store = new Store({ dataDir: tempDir(t, 'ibgw-store-'), maxEvents: 10 });
  await store.open();
  for (let i = 0; i < 25; i++) store.record({ type: 'e', level: 'info', message: String(i) });
  await store.flush();
  const kept = await store.events({ limit: 1000 });
  t.equal(kept.length, 10);
  t.equal(kept[0].message, '15', 'oldest dropped first');
  t.equal(store.oldestEventId(), 16);
  // The log is cut back to the cap once a quarter of it (at least 10 lines) has piled up.
  for (let i = 25; i < 60; i++) store.record({ type: 'e', level: 'info', message: String(i) });
  await store.flush();
  const lines = readFileSync(store.log.file, 'utf8').trim().split('\n');
  t.ok(lines.length <= 20, `the file holds ${lines.length} lines, not 60`);
  t.same((await store.events({ limit: 1000 })).map((e) => e.message), Array.from({ length: 10 }, (_, i) => String(50 + i)));
  t.notOk('events' in JSON.parse(readFileSync(store.file, 'utf8')), 'no events in state.json');
});

t.test('a corrupt file is moved aside with an event, never silently dropped', async (t) => {
  const d = tempDir(t, 'ibgw-store-');
  writeFileSync(join(d, 'state.json'), '{"version":1,"events":[{"id":1');
  const store = new Store({ dataDir: d, maxEvents: 100 });
  await store.open();
  const moved = readdirSync(d).filter((f) => f.startsWith('state.json.corrupt-'));
  t.equal(moved.length, 1, 'quarantined copy exists');
  t.equal(readFileSync(join(d, moved[0]), 'utf8'), '{"version":1,"events":[{"id":1', 'its content is untouched');
  const ev = await store.events({ type: 'store.corrupt' });
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
    const page = await store.events({ sinceId: since, limit: 7 });
    if (page.length === 0) break;
    seen.push(...page.map((e) => e.message));
    since = page[page.length - 1].id;
  }
  t.same(seen, Array.from({ length: 30 }, (_, i) => String(i)), 'every event once, in order');
  t.same((await store.events({ limit: 3 })).map((e) => e.message), ['27', '28', '29'], 'without sinceId: the newest');
});

t.test('events beyond the in-memory tail are read from the log, the same answers either way', async (t) => {
  const d = tempDir(t, 'ibgw-store-');
  const store = new Store({ dataDir: d, maxEvents: 1000 });
  await store.open();
  for (let i = 0; i < 600; i++) store.record({ type: i % 3 === 0 ? 'gateway.transition' : 'session.probe', level: 'info', message: String(i) });
  // Not flushed yet: a query that needs the file flushes first.
  const all = await store.events({ sinceId: 0, limit: 10_000 });
  t.equal(all.length, 600, 'from the file, with the events not yet written');
  t.same(all.map((e) => e.id), Array.from({ length: 600 }, (_, i) => i + 1), 'contiguous ids, in order');
  t.same((await store.events({ sinceId: 100, limit: 5 })).map((e) => e.message), ['100', '101', '102', '103', '104'], 'an old page');
  t.same((await store.events({ sinceId: 590, limit: 5 })).map((e) => e.message), ['590', '591', '592', '593', '594'], 'a recent page');
  const transitions = await store.events({ type: 'gateway', limit: 150 });
  t.equal(transitions.length, 150, 'a filtered query past the tail');
  t.equal(transitions[0].message, '150');
  t.equal(transitions.at(-1)!.message, '597');
  await store.close();
  const again = new Store({ dataDir: d, maxEvents: 1000 });
  await again.open();
  t.same((await again.events({ sinceId: 0, limit: 10_000 })).slice(0, 600), all, 'the same after a reopen');
});

t.test('a store from before the event log: its events become the log, ids continue', async (t) => {
  const d = tempDir(t, 'ibgw-store-');
  const old = Array.from({ length: 5 }, (_, i) => ({ id: i + 1, at: new Date(0).toISOString(), type: i === 4 ? 'daemon.stopped' : 'e', level: 'info', message: String(i) }));
  writeFileSync(join(d, 'state.json'), JSON.stringify({ version: 1, gateway: { restarts: 7 }, events: old, nextEventId: 6 }));
  const store = new Store({ dataDir: d, maxEvents: 100 });
  await store.open();
  t.equal(store.previousRun, 'clean', 'the old file\'s last event says how the last run ended');
  t.same((await store.events({ sinceId: 0 })).map((e) => e.message), ['0', '1', '2', '3', '4']);
  t.equal(store.record({ type: 'x', level: 'info', message: 'next' }).id, 6);
  await store.close();
  const state = JSON.parse(readFileSync(join(d, 'state.json'), 'utf8'));
  t.notOk('events' in state, 'moved out of state.json');
  t.equal(state.gateway.restarts, 7, 'the rest kept');
  t.equal(readFileSync(join(d, 'events.jsonl'), 'utf8').trim().split('\n').length, 6);
});

t.test('a crash mid-append: the partial last line is cut, ids continue from the last whole event', async (t) => {
  const d = tempDir(t, 'ibgw-store-');
  const store = new Store({ dataDir: d, maxEvents: 100 });
  await store.open();
  for (let i = 0; i < 3; i++) store.record({ type: 'e', level: 'info', message: String(i) });
  await store.flush();
  const log = join(d, 'events.jsonl');
  writeFileSync(log, readFileSync(log, 'utf8') + '{"id":4,"at":"2026-', { flag: 'w' });
  const again = new Store({ dataDir: d, maxEvents: 100 });
  await again.open();
  t.equal(again.previousRun, 'unclean');
  const events = await again.events({ sinceId: 0 });
  t.same(events.map((e) => e.id), [1, 2, 3, 4], 'the cut line\'s id goes to the repair event');
  t.match(events[3], { type: 'store.repaired', level: 'warn' });
  t.same(readdirSync(d).filter((f) => f.includes('corrupt')), [], 'no copy kept for the trace of a crash');
  for (const line of readFileSync(log, 'utf8').trim().split('\n')) JSON.parse(line);
  t.pass('every line of the log parses');
});

t.test('an unreadable line in the middle: the file is copied aside, the good lines kept', async (t) => {
  const d = tempDir(t, 'ibgw-store-');
  const log = join(d, 'events.jsonl');
  const line = (id: number) => JSON.stringify({ id, at: '2026-01-01T00:00:00.000Z', type: 'e', level: 'info', message: String(id) });
  const text = `${line(1)}\n${line(2)}\nnot json\n${line(3)}\n`;
  writeFileSync(log, text);
  const store = new Store({ dataDir: d, maxEvents: 100 });
  await store.open();
  const events = await store.events({ sinceId: 0 });
  t.same(events.map((e) => e.id), [1, 2, 3, 4]);
  t.match(events[3], { type: 'store.corrupt', data: { badLines: 1 } });
  const copies = readdirSync(d).filter((f) => f.startsWith('events.jsonl.corrupt-'));
  t.equal(copies.length, 1);
  t.equal(readFileSync(join(d, copies[0]), 'utf8'), text, 'the copy is the file as it was');
});

t.test('the log is appended, not rewritten, for each event', async (t) => {
  const d = tempDir(t, 'ibgw-store-');
  const store = new Store({ dataDir: d, maxEvents: 1000, flushDelayMs: 1 });
  await store.open();
  store.record({ type: 'e', level: 'info', message: 'first' });
  await store.flush();
  const inode = statSync(store.log.file).ino;
  const stateMtime = statSync(store.file).mtimeMs;
  for (let i = 0; i < 20; i++) {
    store.record({ type: 'e', level: 'info', message: String(i) });
    await store.flush();
  }
  t.equal(statSync(store.log.file).ino, inode, 'the same file, appended to');
  t.equal(statSync(store.file).mtimeMs, stateMtime, 'state.json not rewritten for events');
  store.updateGateway({ restarts: 1 });
  await store.flush();
  t.not(statSync(store.file).mtimeMs, stateMtime, 'but for a state change');
});
