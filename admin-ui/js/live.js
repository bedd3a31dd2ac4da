// The daemon's state as every page sees it: GET /api/v1/status, fetched again whenever the
// live event stream (GET /api/v1/events/stream, SSE) says the gateway, the session or a
// maintenance window changed — or every 2 s when this daemon has no stream.
import { get } from './api.js';
import { useEffect, useState } from './html.js';

const STREAM = '/api/v1/events/stream';
/** SSE names each message by its event type; EventSource has no catch-all for named events. */
const STREAM_TYPES = [
  'snapshot', 'gateway.transition', 'gateway.reconcile', 'gateway.restart-deferred', 'session.state', 'session.login-blocked',
  'session.login-unblocked', 'session.login-budget', 'session.maintenance', 'session.recovery', 'session.recovered', 'session.restart',
  'maintenance.start', 'maintenance.end', 'maintenance.notice', 'maintenance.upcoming', 'daemon.started',
];
const POLL_MS = 2000;
/** While an action is under way the person watches every step of it. */
const CLOSE_POLL_MS = 300;
const SAFETY_POLL_MS = 15000;
const STREAM_RETRY_MS = 30000;

const state = { status: null, error: null, mode: 'poll', lastEvent: null, updatedAt: 0 };
const subscribers = new Set();
const eventListeners = new Set();
let timer = null;
let retryTimer = null;
let source = null;
let running = false;
let pending = null;
let closelyUntil = 0;

function publish() {
  for (const fn of subscribers) fn({ ...state });
}

export async function refreshStatus() {
  pending ??= get('/api/v1/status')
    .then((status) => Object.assign(state, { status, error: null, updatedAt: Date.now() }))
    .catch((error) => Object.assign(state, { error }))
    .finally(() => { pending = null; publish(); });
  return pending;
}

function schedule() {
  clearTimeout(timer);
  if (!running) return;
  timer = setTimeout(async () => {
    if (document.visibilityState === 'visible') await refreshStatus();
    schedule();
  }, Date.now() < closelyUntil ? CLOSE_POLL_MS : state.mode === 'stream' ? SAFETY_POLL_MS : POLL_MS);
}

/** Follow the state closely for the next `ms` (an action was just sent), whatever the mode. */
export function watchClosely(ms) {
  closelyUntil = Date.now() + ms;
  schedule();
}

function onStreamEvent(e) {
  let data;
  try { data = JSON.parse(e.data); } catch { data = null; }
  state.lastEvent = { type: e.type, data, at: Date.now() };
  for (const fn of eventListeners) fn(state.lastEvent);
  void refreshStatus();
}

function connectStream() {
  if (!running || source || typeof EventSource === 'undefined') return;
  const es = new EventSource(STREAM);
  source = es;
  es.addEventListener('open', () => { state.mode = 'stream'; publish(); schedule(); });
  for (const type of STREAM_TYPES) es.addEventListener(type, onStreamEvent);
  es.addEventListener('error', () => {
    // CLOSED: refused (no such route on this daemon, or signed out); otherwise the browser reconnects.
    if (es.readyState !== EventSource.CLOSED) return;
    es.close();
    source = null;
    state.mode = 'poll';
    publish();
    schedule();
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connectStream, STREAM_RETRY_MS);
  });
}

export function startLive() {
  if (running) return;
  running = true;
  void refreshStatus();
  connectStream();
  schedule();
}

export function stopLive() {
  running = false;
  clearTimeout(timer);
  clearTimeout(retryTimer);
  source?.close();
  source = null;
  state.status = null;
  state.mode = 'poll';
}

/** The live state; re-renders the component on every change. */
export function useLive() {
  const [snapshot, setSnapshot] = useState({ ...state });
  useEffect(() => {
    subscribers.add(setSnapshot);
    setSnapshot({ ...state });
    return () => subscribers.delete(setSnapshot);
  }, []);
  return snapshot;
}

/** Calls `fn` with each event of the live stream (nothing while polling). */
export function useLiveEvents(fn) {
  useEffect(() => {
    eventListeners.add(fn);
    return () => eventListeners.delete(fn);
  }, [fn]);
}
