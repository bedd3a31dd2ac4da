/**
 * The metric families /metrics shows, each read from the recorder or a service at scrape
 * time. Names follow Prometheus' conventions: ibgw_ prefix, base units (seconds, bytes),
 * _total for counters.
 */
import type { CacheStats } from '../ibkr/response-cache.js';
import type { PacerStats } from '../ibkr/pacer.js';
import type { Histogram } from './histogram.js';
import type { MetricsRecorder } from './recorder.js';

export interface Sample {
  labels?: Record<string, string | number>;
  value: number;
  /** For histograms: name_bucket, name_sum, name_count. */
  metricName?: string;
}

export interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  collect(s: MetricsSources): Sample[];
}

export interface GatewayView {
  state: string;
  since: string | null;
  cpu: number | null;
  memory: number | null;
  restartsTotal: number;
}

export interface SessionView {
  state: string;
  authenticated: boolean;
  counters: { tickles: number; restartsRequested: number; recoveries: number; recoveriesOk: number; logins: number; penalties: number };
  endpoints: Record<string, { calls: number; errors: number }>;
}

export interface MetricsSources {
  recorder: MetricsRecorder;
  gateway(): GatewayView;
  session(): SessionView | null;
  pacer(): PacerStats;
  cache(): CacheStats;
  /** The API's live streams, handed in by the /metrics route with each scrape. */
  streams(): { clients: number; dropped: number } | null;
  /** The V8 heap in use after the last full collection (live-heap.ts), null before the first one. */
  liveHeap(): number | null;
  startedAt: number;
}

export const GATEWAY_STATES = ['stopped', 'starting', 'running', 'backoff', 'stopping', 'fatal'] as const;

const one = (value: number, labels?: Sample['labels']): Sample[] => [{ value, ...(labels ? { labels } : {}) }];
const fromMap = <K extends string>(map: Map<K, number>, label: string): Sample[] => [...map].map(([k, v]) => ({ labels: { [label]: k }, value: v }));

function histogram(name: string, h: Histogram): Sample[] {
  const { cumulative, sum, count } = h.snapshot();
  return [
    ...h.buckets.map((le, i) => ({ metricName: `${name}_bucket`, labels: { le }, value: cumulative[i]! })),
    { metricName: `${name}_bucket`, labels: { le: '+Inf' }, value: count },
    { metricName: `${name}_sum`, value: sum },
    { metricName: `${name}_count`, value: count },
  ];
}

export const FAMILIES: Family[] = [
  // --- the gateway process (cpu and memory absent until the first resource sample) ---
  { name: 'ibgw_gateway_state', type: 'gauge', help: 'Supervisor state of the gateway process (1 for the current one)', collect: (s) => GATEWAY_STATES.map((state) => ({ labels: { state }, value: s.gateway().state === state ? 1 : 0 })) },
  { name: 'ibgw_gateway_restarts_total', type: 'counter', help: 'Automatic gateway restarts since the store was created', collect: (s) => one(s.gateway().restartsTotal) },
  { name: 'ibgw_gateway_uptime_seconds', type: 'gauge', help: 'Time in the current gateway state while running (0 otherwise)', collect: (s) => { const g = s.gateway(); return one(g.state === 'running' && g.since ? Math.max(0, (Date.now() - Date.parse(g.since)) / 1000) : 0); } },
  { name: 'ibgw_gateway_cpu_percent', type: 'gauge', help: 'CPU of the gateway\'s process group, percent of one core', collect: (s) => { const v = s.gateway().cpu; return v === null ? [] : one(v); } },
  { name: 'ibgw_gateway_memory_bytes', type: 'gauge', help: 'Resident memory of the gateway\'s process group', collect: (s) => { const v = s.gateway().memory; return v === null ? [] : one(v); } },
  // --- the IBKR session ---
  { name: 'ibgw_session_state', type: 'gauge', help: 'Session keeper state (1 for the current one)', collect: (s) => { const x = s.session(); return x ? one(1, { state: x.state }) : []; } },
  { name: 'ibgw_session_authenticated', type: 'gauge', help: '1 while the brokerage session is authenticated', collect: (s) => { const x = s.session(); return x ? one(x.authenticated ? 1 : 0) : []; } },
  { name: 'ibgw_session_tickle_seconds', type: 'histogram', help: 'Tickle round trips (sampled from the keeper every few seconds)', collect: (s) => histogram('ibgw_session_tickle_seconds', s.recorder.tickleSeconds) },
  { name: 'ibgw_session_logins_total', type: 'counter', help: 'Automated logins attempted', collect: (s) => one(s.session()?.counters.logins ?? 0) },
  { name: 'ibgw_session_recoveries_total', type: 'counter', help: 'Session recoveries (reauthenticate, takeover, login) by result', collect: (s) => { const c = s.session()?.counters; return c ? [{ labels: { result: 'ok' }, value: c.recoveriesOk }, { labels: { result: 'failed' }, value: c.recoveries - c.recoveriesOk }] : []; } },
  { name: 'ibgw_session_restarts_requested_total', type: 'counter', help: 'Gateway restarts the keeper asked for', collect: (s) => one(s.session()?.counters.restartsRequested ?? 0) },
  { name: 'ibgw_session_calls_total', type: 'counter', help: 'Keeper calls to the gateway by endpoint class', collect: (s) => Object.entries(s.session()?.endpoints ?? {}).map(([klass, e]) => ({ labels: { class: klass }, value: e.calls })) },
  { name: 'ibgw_session_call_errors_total', type: 'counter', help: 'Keeper calls that failed (timeouts, 5xx, refused …) by endpoint class', collect: (s) => Object.entries(s.session()?.endpoints ?? {}).map(([klass, e]) => ({ labels: { class: klass }, value: e.errors })) },
  // --- the API ---
  { name: 'ibgw_api_requests_total', type: 'counter', help: 'API requests by route pattern, method and status', collect: (s) => [...s.recorder.requests].map(([key, value]) => { const [route, method, status] = key.split(' '); return { labels: { route: route!, method: method!, status: status! }, value }; }) },
  { name: 'ibgw_events_stream_clients', type: 'gauge', help: 'Open live event streams', collect: (s) => one(s.streams()?.clients ?? 0) },
  { name: 'ibgw_events_stream_dropped_total', type: 'counter', help: 'Live event streams dropped for reading too slowly', collect: (s) => one(s.streams()?.dropped ?? 0) },
  // --- the pass-through ---
  { name: 'ibgw_passthrough_upstream_seconds', type: 'histogram', help: 'Gateway round trips of pass-through calls (queue time excluded)', collect: (s) => histogram('ibgw_passthrough_upstream_seconds', s.recorder.upstreamSeconds) },
  { name: 'ibgw_passthrough_upstream_total', type: 'counter', help: 'Pass-through calls to the gateway by answer (2xx, 4xx, 429, 5xx, error)', collect: (s) => fromMap(s.recorder.upstreamResults, 'result') },
  { name: 'ibgw_passthrough_cache_total', type: 'counter', help: 'Pass-through requests by cache result (hit, miss, coalesced; bypass for non-GET)', collect: (s) => fromMap(s.recorder.cacheResults, 'result') },
  { name: 'ibgw_passthrough_refused_total', type: 'counter', help: 'Pass-through requests refused by the daemon, by code (IBGW_IBKR_BUSY: 429 over the queue bound)', collect: (s) => fromMap(s.recorder.refusals, 'code') },
  { name: 'ibgw_passthrough_queue_depth', type: 'gauge', help: 'Requests waiting for their turn under IBKR\'s pacing', collect: (s) => one(s.pacer().queued) },
  { name: 'ibgw_passthrough_sent_total', type: 'counter', help: 'Calls the pacer let through (apps and, when wired, the session keeper)', collect: (s) => one(s.pacer().sent) },
  { name: 'ibgw_passthrough_penalty', type: 'gauge', help: '1 while IBKR\'s penalty box holds app calls', collect: (s) => one(s.pacer().penaltyUntil ? 1 : 0) },
  { name: 'ibgw_passthrough_cache_entries', type: 'gauge', help: 'Cached gateway answers', collect: (s) => one(s.cache().entries) },
  { name: 'ibgw_passthrough_cache_bytes', type: 'gauge', help: 'Bytes of cached gateway answers', collect: (s) => one(s.cache().bytes) },
  // --- the daemon itself (read on demand; one GC observer, from the first scrape on: live-heap.ts) ---
  { name: 'ibgw_daemon_uptime_seconds', type: 'gauge', help: 'Time since the daemon started', collect: (s) => one((Date.now() - s.startedAt) / 1000) },
  { name: 'ibgw_daemon_resident_memory_bytes', type: 'gauge', help: 'Resident memory of the daemon process', collect: () => one(process.memoryUsage.rss()) },
  // V8's heap beside the RSS: a used figure that keeps rising across collections is a leak of
  // objects; an RSS that rises while it stays flat is the heap sizing itself, code, or native memory.
  { name: 'ibgw_daemon_heap_used_bytes', type: 'gauge', help: 'V8 heap in use by the daemon (live objects and garbage not yet collected)', collect: () => one(process.memoryUsage().heapUsed) },
  { name: 'ibgw_daemon_heap_live_bytes', type: 'gauge', help: 'V8 heap in use right after the last full collection: what the daemon keeps (absent until one has run since the first scrape)', collect: (s) => { const v = s.liveHeap(); return v === null ? [] : one(v); } },
  { name: 'ibgw_daemon_heap_total_bytes', type: 'gauge', help: 'V8 heap the daemon has reserved', collect: () => one(process.memoryUsage().heapTotal) },
  { name: 'ibgw_daemon_external_memory_bytes', type: 'gauge', help: 'Memory outside the V8 heap held by the daemon\'s JavaScript objects (buffers)', collect: () => one(process.memoryUsage().external) },
  { name: 'ibgw_daemon_cpu_seconds_total', type: 'counter', help: 'CPU time of the daemon process (user + system)', collect: () => { const u = process.cpuUsage(); return one((u.user + u.system) / 1e6); } },
];
