/**
 * Making the local CA, server certificate and keystore in a helper process. node-forge (keys,
 * X.509 and PKCS#12 in JavaScript) is ~0.9 MB of source and megabytes of heap that stay once
 * loaded, while a daemon makes a certificate at its first start and then at each renewal, months
 * apart: the helper loads it, writes the files and exits.
 */
import { spawn } from 'node:child_process';
import { text } from 'node:stream/consumers';
import { packagePath } from '../package-root.js';
import type { LocalTls, LocalTlsOptions } from './generate.js';

const STDERR_TAIL = 2000;

export async function generateLocalTlsApart(options: LocalTlsOptions, workerPath = packagePath('daemon', 'tls', 'generate-worker.js')): Promise<LocalTls> {
  const child = spawn(process.execPath, [workerPath], {
    stdio: ['pipe', 'pipe', 'pipe'],
    // Not the daemon's environment: no secrets, no NODE_OPTIONS (a loader or inspector meant for the daemon).
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  // The keystore password travels on the pipe, never on the command line.
  child.stdin.end(JSON.stringify({ ...options, now: options.now?.toISOString() }));
  const [out, err, exit] = await Promise.all([text(child.stdout), text(child.stderr), exited]);
  if (exit.code !== 0) {
    throw new Error(`making the certificate failed (helper exited ${exit.signal ?? exit.code}): ${err.slice(-STDERR_TAIL).trim() || 'no message'}`);
  }
  const tls = JSON.parse(out) as Omit<LocalTls, 'notAfter'> & { notAfter: string };
  return { ...tls, notAfter: new Date(tls.notAfter) };
}
