import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { freePort } from '../../testkit/ports.js';
import { notifyConfig } from '../helpers/notify-config.js';
import { outboxOnDisk, startNotifierProcess } from '../helpers/notifier-process.js';
import { startWebhookReceiver } from '../helpers/notify-receivers.js';
import { isAlive } from '../helpers/process-table.js';
import { waitFor } from '../../testkit/wait-for.js';
import { tempDir } from '../helpers/temp-dir.js';

const SECRET = 'whsec-restart-0123456789';
const slowRetry = { maxAttempts: 10, backoff: { initialMs: 600_000, maxMs: 600_000, factor: 2, jitter: 0 } };

t.test('killed with undelivered notifications: after the restart each is delivered, once per key, in order', async (t) => {
  const dataDir = tempDir(t, 'ibgw-notify-kill-');
  const port = await freePort();
  // The receiver is down and the next retry ten minutes away: only the restart can deliver.
  const config = notifyConfig([{ name: 'ops', type: 'webhook', url: `http://127.0.0.1:${port}/hook`, secret: { vault: 'ops' } }], { rules: [{ events: ['x.*'], dedupeMinutes: 0 }], retry: slowRetry });
  const first = await startNotifierProcess(t, { dataDir, config, secrets: { ops: SECRET } });
  for (const type of ['x.first', 'x.second', 'x.third']) first.send({ type, level: 'error', message: type });
  await waitFor(() => outboxOnDisk(dataDir).length === 3 && outboxOnDisk(dataDir)[0].attempts === 1, 10_000, 'three entries on disk, one attempt failed');
  const before = outboxOnDisk(dataDir);
  t.ok(before.every((e) => e.state === 'pending'));
  await first.kill();

  const rx = await startWebhookReceiver({ port, secret: SECRET });
  t.teardown(() => rx.close());
  const second = await startNotifierProcess(t, { dataDir, config, secrets: { ops: SECRET } });
  await waitFor(() => rx.processed.length === 3, 20_000, 'three deliveries');
  await waitFor(() => outboxOnDisk(dataDir).every((e) => e.state === 'delivered'), 10_000, 'marked delivered on disk');
  t.same(rx.processed, before.map((e) => e.id), 'the stored keys, in the order of the events');
  t.equal(rx.requests.length, 3, 'no key sent twice');
  t.ok(rx.requests.every((r) => r.signature === 'ok'));
  t.same(rx.requests.map((r) => r.json.title), ['x.first', 'x.second', 'x.third']);
  t.notOk(first.output().includes(SECRET) || second.output().includes(SECRET), 'the secret is in neither log');
  await second.kill();
});

t.test('killed after the receiver took it but before the answer: re-sent with the same key, processed once', async (t) => {
  const dataDir = tempDir(t, 'ibgw-notify-kill-');
  const rx = await startWebhookReceiver();
  t.teardown(() => rx.close());
  const config = notifyConfig([{ name: 'ops', type: 'webhook', url: rx.url }], { rules: [{ events: ['x.*'] }], retry: slowRetry });
  const first = await startNotifierProcess(t, { dataDir, config });
  const held = rx.holdNext();
  first.send({ type: 'x.crash', level: 'error', message: 'in flight' });
  const { request, release } = await held;
  await first.kill();
  release(); // the receiver acts on it; the answer reaches nobody
  t.equal(request.fresh, true);

  const second = await startNotifierProcess(t, { dataDir, config });
  await waitFor(() => rx.requests.length === 2, 20_000, 'the second attempt');
  t.equal(rx.requests[1].key, request.key, 'the same idempotency key');
  t.equal(rx.requests[1].fresh, false, 'the receiver recognised the duplicate');
  t.same(rx.processed, [request.key]);
  await waitFor(() => outboxOnDisk(dataDir)[0]?.state === 'delivered', 10_000, 'delivered on disk');
  await second.kill();
});

t.test('killed while a notification command runs: the lifeline takes its group down', async (t) => {
  const dataDir = tempDir(t, 'ibgw-notify-kill-');
  const script = fileURLToPath(new URL('../fixtures/notify-command.sh', import.meta.url));
  const config = notifyConfig([{ name: 'cmd', type: 'command', command: [script, 'hang', dataDir], timeoutMs: 600_000 }], { rules: [{ events: ['x.*'] }] });
  const p = await startNotifierProcess(t, { dataDir, config });
  p.send({ type: 'x.hang', level: 'error', message: 'hang' });
  await waitFor(() => existsSync(join(dataDir, 'grandchild.pid')) && existsSync(join(dataDir, 'leader.pid')), 10_000, 'command running');
  const pids = ['leader.pid', 'grandchild.pid'].map((f) => Number(readFileSync(join(dataDir, f), 'utf8')));
  await p.kill();
  await waitFor(() => pids.every((pid) => !isAlive(pid)), 10_000, 'no orphan left');
  t.pass('command and grandchild gone');
});
