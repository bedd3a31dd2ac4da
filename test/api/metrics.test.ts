import t from 'tap';
import { startApiDaemon } from '../helpers/api-daemon.js';
import { fullGc } from '../helpers/full-gc.js';
import { waitFor } from '../../testkit/wait-for.js';

function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-z_]+(?:\{[^}]*\})?) (-?[0-9.e+-]+|NaN|\+Inf)$/i.exec(line);
    if (!m) throw new Error(`not Prometheus text: ${line}`);
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}

t.test('/metrics in Prometheus text, behind a read token', async (t) => {
  const d = await startApiDaemon(t);
  await d.waitGateway('running');
  await d.login();
  const app = d.daemon.app;
  const auth = { authorization: `Bearer ${d.token}` };
  for (let i = 0; i < 2; i++) t.equal((await app.inject({ method: 'GET', url: '/api/v1/ibkr/iserver/accounts', headers: auth })).statusCode, 200);
  await app.inject({ method: 'GET', url: '/api/v1/ibkr/portfolio/accounts' });
  await app.inject({ method: 'GET', url: '/no/such/route' });

  t.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401, 'a token is needed');
  const res = await app.inject({ method: 'GET', url: '/metrics', headers: auth });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  const m = parse(res.body);
  const has = (key: string, min = 1) => t.ok((m.get(key) ?? -1) >= min, `${key} = ${m.get(key)}`);
  has('ibgw_gateway_state{state="running"}');
  t.equal(m.get('ibgw_gateway_state{state="stopped"}'), 0);
  has('ibgw_gateway_uptime_seconds', 0);
  t.ok(res.body.includes('# TYPE ibgw_gateway_memory_bytes gauge'), 'gateway memory (a sample once the monitor has one)');
  has('ibgw_session_authenticated');
  has('ibgw_session_state{state="authenticated"}');
  has('ibgw_session_tickle_seconds_count');
  has('ibgw_session_calls_total{class="tickle"}');
  has('ibgw_api_requests_total{route="/api/v1/ibkr/*",method="GET",status="200"}', 2);
  has('ibgw_api_requests_total{route="/api/v1/ibkr/*",method="GET",status="401"}');
  has('ibgw_api_requests_total{route="unmatched",method="GET",status="404"}');
  has('ibgw_passthrough_cache_total{result="miss"}');
  has('ibgw_passthrough_cache_total{result="hit"}');
  has('ibgw_passthrough_upstream_seconds_count');
  has('ibgw_passthrough_upstream_seconds_bucket{le="+Inf"}');
  has('ibgw_passthrough_upstream_total{result="2xx"}');
  t.equal(m.get('ibgw_passthrough_queue_depth'), 0);
  t.equal(m.get('ibgw_passthrough_penalty'), 0);
  has('ibgw_daemon_resident_memory_bytes', 1_000_000);
  has('ibgw_daemon_heap_used_bytes', 1_000_000);
  has('ibgw_daemon_heap_total_bytes', 1_000_000);
  has('ibgw_daemon_external_memory_bytes', 0);
  t.ok(m.get('ibgw_daemon_heap_used_bytes')! <= m.get('ibgw_daemon_heap_total_bytes')!, 'used within reserved');
  t.ok(m.get('ibgw_daemon_heap_total_bytes')! < m.get('ibgw_daemon_resident_memory_bytes')! * 2, 'a heap figure, not an address-space one');
  t.ok(res.body.includes('# TYPE ibgw_passthrough_upstream_seconds histogram'));
  t.ok(res.body.includes('# HELP ibgw_passthrough_queue_depth'));
  const again = parse((await app.inject({ method: 'GET', url: '/metrics', headers: auth })).body);
  t.ok(again.get('ibgw_api_requests_total{route="/metrics",method="GET",status="200"}')! >= 1, 'scrapes are counted too');

  // The heap kept after full collections: watched from the first scrape, shown after the next one.
  fullGc();
  const live = await waitFor(async () => {
    const m = parse((await app.inject({ method: 'GET', url: '/metrics', headers: auth })).body);
    return m.has('ibgw_daemon_heap_live_bytes') && m;
  }, 5000, 'the heap kept after the collection', 20);
  t.ok(live.get('ibgw_daemon_heap_live_bytes')! > 1_000_000, `heap kept after a full collection: ${live.get('ibgw_daemon_heap_live_bytes')}`);
  t.ok(live.get('ibgw_daemon_heap_live_bytes')! <= live.get('ibgw_daemon_heap_total_bytes')!, 'within the heap reserved');
});
