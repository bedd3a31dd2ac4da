import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import t from 'tap';
import { LogCapture, RotatingFile, type LogLine } from '../../daemon/supervisor/index.js';
import { fullGc as gc } from '../helpers/full-gc.js';
import { fixture, harness } from '../helpers/supervisor-harness.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../../testkit/wait-for.js';

const redact = (line: string) => line.replace(/sslPwd=\S+/g, 'sslPwd=[redacted]');

t.test('lines: split across chunks, CRLF, multi-byte characters, last line without newline', async (t) => {
  const dir = tempDir(t);
  const seen: LogLine[] = [];
  const capture = new LogCapture({ dir, ringLines: 10, maxFileBytes: 1e6, maxFiles: 2, onLine: (l) => seen.push(l) });
  const stream = new PassThrough();
  capture.attach(stream, 'stdout');
  const euro = Buffer.from('€');
  stream.write('hel');
  stream.write('lo\r\nprice 5');
  stream.write(euro.subarray(0, 1));
  stream.write(Buffer.concat([euro.subarray(1), Buffer.from('\nno newline')]));
  stream.end();
  await waitFor(() => seen.length === 3, 1000, 'three lines');
  t.same(seen.map((l) => l.text), ['hello', 'price 5€', 'no newline']);
  await capture.close();
  t.match(readFileSync(join(dir, 'gateway.log'), 'utf8'), /stdout price 5€\n/);
  t.equal(statSync(join(dir, 'gateway.log')).mode & 0o777, 0o600, 'the log file is private');
});

t.test('redaction happens before ring, file and listeners', async (t) => {
  const dir = tempDir(t);
  const seen: string[] = [];
  const capture = new LogCapture({ dir, ringLines: 10, maxFileBytes: 1e6, maxFiles: 2, redactLine: redact, onLine: (l) => seen.push(l.text) });
  const stream = new PassThrough();
  capture.attach(stream, 'stderr');
  stream.end('conf: sslPwd=mywebapi listenPort=5000\n');
  await waitFor(() => seen.length === 1, 1000, 'line');
  await capture.close();
  t.same(seen, ['conf: sslPwd=[redacted] listenPort=5000']);
  t.same(capture.lines().map((l) => l.text), seen);
  t.notMatch(readFileSync(join(dir, 'gateway.log'), 'utf8'), /mywebapi/);
});

t.test('ring is bounded; evictions are not drops', async (t) => {
  const capture = new LogCapture({ dir: tempDir(t), ringLines: 5, maxFileBytes: 1e6, maxFiles: 2 });
  const stream = new PassThrough();
  capture.attach(stream, 'stdout');
  stream.end(Array.from({ length: 12 }, (_, i) => `line ${i}\n`).join(''));
  await waitFor(() => capture.lines().at(-1)?.text === 'line 11', 1000, 'all lines');
  t.same(capture.lines().map((l) => l.text), ['line 7', 'line 8', 'line 9', 'line 10', 'line 11']);
  t.same(capture.lines(2).map((l) => l.text), ['line 10', 'line 11']);
  await capture.flush();
  t.equal(capture.droppedLines, 0);
  await capture.close();
});

t.test('rotation keeps maxFiles files of at most maxFileBytes; a writer that falls behind drops and counts', async (t) => {
  const dir = tempDir(t);
  const file = new RotatingFile({ path: join(dir, 'gateway.log'), maxFileBytes: 200, maxFiles: 3 });
  for (let i = 0; i < 40; i++) file.write(`line ${String(i).padStart(3, '0')} ${'x'.repeat(20)}`);
  await file.close();
  t.ok(existsSync(join(dir, 'gateway.log')) && existsSync(join(dir, 'gateway.log.1')) && existsSync(join(dir, 'gateway.log.2')));
  t.notOk(existsSync(join(dir, 'gateway.log.3')), 'no more than maxFiles');
  for (const name of ['gateway.log', 'gateway.log.1', 'gateway.log.2']) t.ok(statSync(join(dir, name)).size <= 200, `${name} ≤ 200 bytes`);
  t.match(readFileSync(join(dir, 'gateway.log'), 'utf8'), /line 039/, 'the newest line is in the live file');
  t.equal(file.droppedLines, 0);

  const slow = new RotatingFile({ path: join(dir, 'slow.log'), maxFileBytes: 1e6, maxFiles: 2, maxPendingBytes: 100 });
  let accepted = 0;
  for (let i = 0; i < 50; i++) if (slow.write(`line ${i} ${'y'.repeat(20)}`)) accepted++;
  t.ok(slow.droppedLines > 0, `dropped ${slow.droppedLines} lines beyond the pending bound`);
  t.equal(accepted + slow.droppedLines, 50, 'every line is either written or counted');
  t.ok(slow.pendingBytes <= 100, 'memory held for the disk stays bounded');
  await slow.close();
  t.equal(readFileSync(join(dir, 'slow.log'), 'utf8').split('\n').filter(Boolean).length, accepted);
});

t.test('lines on disk are not held in memory: the queue lets go of what it wrote', async (t) => {
  const dir = tempDir(t);
  const file = new RotatingFile({ path: join(dir, 'big.log'), maxFileBytes: 1e9, maxFiles: 1, maxPendingBytes: 64 * 1024 * 1024 });
  t.teardown(() => file.close());
  gc();
  const before = process.memoryUsage().heapUsed;
  // 3000 lines of 10 KB (fewer than the 4096 of the periodic compaction), each its own string.
  for (let i = 0; i < 3000; i++) file.write(`${i} ${'x'.repeat(10_000)}`);
  await file.flush();
  gc();
  const kept = (process.memoryUsage().heapUsed - before) / 1048576;
  t.equal(statSync(join(dir, 'big.log')).size > 30_000_000, true, 'all on disk');
  t.ok(kept < 5, `heap after the flush: ${kept.toFixed(1)} MB more than before (30 MB written)`);
});

t.test('flood: 200k lines are drained without blocking the child; memory stays bounded', async (t) => {
  const N = 200000;
  const h = await harness(t, () => [process.execPath, fixture('flood.mjs'), String(N)], {
    logs: { ringLines: 1000, maxFileBytes: 2 * 1024 * 1024, maxFiles: 3 },
    startTimeoutMs: 20000,
    redactLine: redact,
    restart: { backoff: { initialMs: 60000, maxMs: 60000, factor: 2, jitter: 0 }, stableAfterMs: 60000, maxRestarts: 5, windowMs: 60000 },
  });
  let stdout = 0;
  let leaked = 0;
  let done: string | undefined;
  let last: string | undefined;
  h.sup.on('line', (l) => {
    if (l.stream === 'stdout') stdout++;
    if (l.text.includes('secret-')) leaked++;
    if (l.text.startsWith('flood done')) done = l.text;
    last = l.text;
  });
  const began = Date.now();
  const status = await h.sup.start();
  const took = Date.now() - began;
  t.equal(status.state, 'backoff', 'the flood exits (before ever listening)');
  t.equal(stdout, N, 'every line was captured');
  t.equal(leaked, 0, 'every line was redacted');
  // stdout and stderr are separate pipes: the stderr 'done' line may arrive before the stdout tail.
  t.ok(done, 'the child reports how long it took');
  const childMs = Number(/in (\d+) ms/.exec(done ?? '')?.[1]);
  t.ok(childMs < 5000, `the child wrote ${N} lines in ${childMs} ms (start to exit ${took} ms)`);
  t.equal(h.sup.logs().length, 1000, 'ring bounded');
  t.equal(h.sup.logs(1)[0]!.text, last, 'the ring ends with the newest line');
  await h.sup.flushLogs();
  const logs = join(h.dataDir, 'logs');
  for (const name of ['gateway.log', 'gateway.log.1', 'gateway.log.2']) {
    t.ok(existsSync(join(logs, name)), `${name} exists`);
    t.ok(statSync(join(logs, name)).size <= 2 * 1024 * 1024, `${name} within maxFileBytes`);
  }
  t.notOk(existsSync(join(logs, 'gateway.log.3')), 'old files rotated away');
  t.type(h.sup.status().droppedLines, 'number');
  t.ok(process.memoryUsage().rss < 400 * 1024 * 1024, `test process RSS ${Math.round(process.memoryUsage().rss / 1048576)} MB`);
  await h.sup.stop();
});
