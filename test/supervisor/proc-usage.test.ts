import { spawn } from 'node:child_process';
import { once } from 'node:events';
import t from 'tap';
import { ProcUsageReader } from '../../daemon/supervisor/proc-usage.js';
import { waitFor } from '../../testkit/wait-for.js';

t.test('CPU and memory of a real process from /proc; a gone process reads as null', async (t) => {
  // Busy for a while, then idle until killed.
  const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 400; while (Date.now() < end); setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  t.teardown(() => child.kill('SIGKILL'));
  const reader = new ProcUsageReader();
  const first = await waitFor(() => { const u = reader.read(child.pid!); return u && u.memory > 5 * 1024 * 1024 ? u : null; }, 5000, 'the child running in /proc');
  t.ok(first.memory > 5 * 1024 * 1024, `a node process holds megabytes (${Math.round(first.memory / 1048576)} MB)`);
  const busy = await waitFor(() => { const u = reader.read(child.pid!); return u && u.cpu > 10 ? u : null; }, 5000, 'CPU while busy');
  t.ok(busy.cpu > 10, `busy: ${busy.cpu.toFixed(0)} %`);
  await waitFor(() => { const u = reader.read(child.pid!); return u !== null && u.cpu < 5; }, 10_000, 'idle after the loop');
  child.kill('SIGKILL');
  await once(child, 'exit');
  await waitFor(() => reader.read(child.pid!) === null, 5000, 'gone');
  reader.keepOnly([]);
});
