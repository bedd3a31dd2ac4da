#!/usr/bin/env node
/**
 * The login worker: a Node process of its own that the daemon starts for one attempt and that
 * exits after it. playwright-core is loaded here and nowhere else, so the daemon's memory
 * never holds the browser driver (~70 MB of compiled code that an ESM import could not give
 * back). If the daemon goes away mid-attempt, the IPC channel closes and the worker closes
 * the browser and leaves.
 */
import { runAttempt } from './browser-session.js';
import type { FromWorker, ToWorker } from './worker-protocol.js';

const abort = new AbortController();
let started = false;

function send(message: FromWorker, then?: () => void): void {
  if (process.connected) process.send!(message, undefined, {}, () => then?.());
  else then?.();
}

/**
 * Leave as soon as the report is out: playwright keeps handles that would hold the event loop
 * open, and the browser is closed (or killed) by now — the daemon sweeps what remains.
 */
function finish(message: FromWorker): void {
  send(message, () => process.exit(0));
}

process.on('message', (message: ToWorker) => {
  if (message.type === 'abort') abort.abort();
  if (message.type !== 'run' || started) return;
  started = true;
  runAttempt(message.request, (m) => send(m), abort.signal).then(
    (report) => finish({ type: 'done', report }),
    (err: Error) => finish({ type: 'done', report: { outcome: { kind: 'browser', detail: String(err?.message ?? err).split('\n')[0]! }, secondFactor: 'none', screenshot: false, passwordCleared: null } }),
  );
});

process.on('disconnect', () => abort.abort());
