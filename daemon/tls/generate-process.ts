/**
 * Making the local CA, server certificate and keystore in a helper process. node-forge (keys,
 * X.509 and PKCS#12 in JavaScript) is ~0.9 MB of source and megabytes of heap that stay once
 * loaded, while a daemon makes a certificate at its first start and then at each renewal, months
 * apart: the helper loads it, writes the files and exits.
 */
import { spawn } from 'node:child_process';
import { text } from 'node:stream/consumers';
import { packagePath } from '../package-root.js';
import { graceSeconds, groupChild, LIFELINE_SCRIPT, signalGroup } from '../supervisor/process-group.js';
import type { LocalTls, LocalTlsOptions } from './generate.js';

const STDERR_TAIL = 2000;
/** Making a 2048-bit CA and certificate takes a second or two; a helper this late is stuck. */
const HELPER_TIMEOUT_MS = 60_000;

export async function generateLocalTlsApart(options: LocalTlsOptions, workerPath = packagePath('daemon', 'tls', 'generate-worker.js'), timeoutMs = HELPER_TIMEOUT_MS): Promise<LocalTls> {
  // Behind the lifeline, in a group of its own: a daemon killed meanwhile takes the helper with it
  // (its pipe closes, the watcher kills the group), as it does a gateway.
  const child = spawn('/bin/sh', [LIFELINE_SCRIPT, graceSeconds(1000), process.execPath, workerPath], {
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    detached: true,
    // Not the daemon's environment: no secrets, no NODE_OPTIONS (a loader or inspector meant for the daemon).
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
  });
  const { stdout, stderr, lifeline } = groupChild(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let late = false;
  const timer = setTimeout(() => {
    late = true;
    if (child.pid) signalGroup(child.pid, 'SIGKILL');
  }, timeoutMs);
  try {
    // The keystore password travels on the pipe, never on the command line.
    child.stdin!.end(JSON.stringify({ ...options, now: options.now?.toISOString() }));
    const [out, err, exit] = await Promise.all([text(stdout), text(stderr), exited]);
    if (late) throw new Error(`making the certificate failed: the helper did not finish within ${timeoutMs} ms and was killed`);
    if (exit.code !== 0) {
      throw new Error(`making the certificate failed (helper exited ${exit.signal ?? exit.code}): ${err.slice(-STDERR_TAIL).trim() || 'no message'}`);
    }
    const tls = JSON.parse(out) as Omit<LocalTls, 'notAfter'> & { notAfter: string };
    return { ...tls, notAfter: new Date(tls.notAfter) };
  } finally {
    clearTimeout(timer);
    // The leader is gone; the lifeline's watcher goes with its pipe.
    lifeline.destroy();
  }
}
