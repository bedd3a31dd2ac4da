/**
 * Starting the login worker and waiting for its report. The worker runs in a process group of
 * its own (so a terminal's Ctrl-C does not cut an attempt in half and kill(-pid) ends it), with
 * a minimal environment (the daemon's may hold ENCRYPTION_KEY); the request, credentials
 * included, goes over the IPC channel only. Abort — the keeper's deadline, the daemon
 * stopping, or the hard cap — asks the worker to close the browser, and kills it after `closeMs`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { signalGroup } from '../supervisor/process-group.js';
import { attemptTmpDir } from './browser-processes.js';
import type { FromWorker, PageReport, PageRequest, ToWorker } from './worker-protocol.js';

export interface WorkerRunOptions {
  workerPath: string;
  request: PageRequest;
  signal: AbortSignal;
  /** The attempt can never take longer than this, whatever the page does. */
  hardTimeoutMs: number;
  onPushPending: () => void;
  onBrowser: (pid: number) => void;
}

export interface WorkerRun {
  report: PageReport | null;
  workerPid: number | null;
  exit: { code: number | null; signal: NodeJS.Signals | null };
  /** The last few KB of the worker's stderr (Node's own crash output, if any). */
  stderr: string;
  /** Why no report came: spawn error, abort, hard timeout, or an exit without a word. */
  failure: string | null;
}

const STDERR_TAIL = 4096;

export function runWorker(options: WorkerRunOptions): Promise<WorkerRun> {
  const { request } = options;
  const tmp = attemptTmpDir(request.profileDir);
  try {
    mkdirSync(tmp, { recursive: true, mode: 0o700 });
  } catch (err) {
    const failure = `cannot make the attempt's temp folder: ${(err as Error).message}`;
    return Promise.resolve({ report: null, workerPid: null, exit: { code: null, signal: null }, stderr: '', failure });
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [options.workerPath], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      detached: true,
      cwd: request.profileDir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: request.profileDir, TMPDIR: tmp, LANG: 'C.UTF-8' },
    });
    let report: PageReport | null = null;
    let failure: string | null = null;
    let stderr = '';
    let killTimer: NodeJS.Timeout | null = null;
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    const kill = (): void => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        signalGroup(child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    };
    // Ask nicely (the worker closes the browser), then make sure.
    const stop = (why: string): void => {
      failure ??= why;
      if (child.connected) child.send({ type: 'abort' } satisfies ToWorker, () => undefined);
      killTimer ??= setTimeout(kill, request.closeMs);
    };
    const onAbort = (): void => stop('aborted');
    options.signal.addEventListener('abort', onAbort, { once: true });
    const cap = setTimeout(() => stop(`no result within ${options.hardTimeoutMs} ms`), options.hardTimeoutMs);
    child.on('message', (message: FromWorker) => {
      if (message.type === 'browser') options.onBrowser(message.pid);
      else if (message.type === 'push-pending') options.onPushPending();
      else if (message.type === 'done') {
        report = message.report;
        // The worker leaves on its own once it has said this; give it closeMs to do so.
        killTimer ??= setTimeout(kill, request.closeMs);
      }
    });
    child.once('error', (err) => {
      failure ??= `cannot start the login worker: ${err.message}`;
    });
    child.once('close', (code, signal) => {
      clearTimeout(cap);
      if (killTimer) clearTimeout(killTimer);
      options.signal.removeEventListener('abort', onAbort);
      if (!report) failure ??= `the login worker exited (${signal ?? code}) without a result`;
      resolve({ report, workerPid: child.pid ?? null, exit: { code, signal }, stderr, failure: report ? null : failure });
    });
    if (options.signal.aborted) stop('aborted');
    else if (child.pid !== undefined) child.send({ type: 'run', request } satisfies ToWorker, () => undefined);
  });
}
