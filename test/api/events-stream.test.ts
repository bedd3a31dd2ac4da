import { createServer } from 'node:http';
import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { IbgwClient, type DaemonEvent } from '../../client/index.js';
import { EventStreamHub } from '../../daemon/api/event-stream.js';
import { Store } from '../../daemon/store/store.js';
import { startApiDaemon } from '../helpers/api-daemon.js';
import { waitFor } from '../../testkit/wait-for.js';

/** Reads events until `until` says stop; the iterator is closed after. */
async function collect(events: AsyncGenerator<DaemonEvent>, until: (seen: DaemonEvent[]) => boolean, timeoutMs = 30_000): Promise<DaemonEvent[]> {
  const seen: DaemonEvent[] = [];
  const deadline = setTimeout(() => void events.return(undefined), timeoutMs);
  try {
    for await (const e of events) {
      seen.push(e);
      if (until(seen)) break;
    }
  } finally {
    clearTimeout(deadline);
  }
  return seen;
}

t.test('live events: snapshot, state changes, resume with Last-Event-ID, filters', async (t) => {
  const d = await startApiDaemon(t, { gateway: { autoStart: false } });
  const client = new IbgwClient({ baseUrl: d.daemon.apiUrl, token: d.token });
  const abort = new AbortController();
  t.teardown(() => abort.abort());

  const live = client.events({ signal: abort.signal });
  const starting = collect(live, (seen) => seen.some((e) => e.type === 'gateway.transition' && (e.data.data as { to?: string })?.to === 'running'));
  await waitFor(() => d.daemon.app.eventStreams.stats().clients === 1, 5000, 'the stream to open');
  await d.daemon.supervisor.start('test');
  const seen = await starting;
  t.equal(seen[0]!.type, 'snapshot', 'the state now comes first');
  t.match(seen[0]!.data, { gateway: 'stopped' });
  t.ok(seen.filter((e) => e.id !== null).every((e, i, all) => i === 0 || e.id! > all[i - 1]!.id!), 'ids increase');
  const lastSeen = seen[seen.length - 1]!.id!;
  await waitFor(() => d.daemon.app.eventStreams.stats().clients === 0, 5000, 'the stream to close');

  // Away: the gateway stops and an operator's failed login is recorded meanwhile.
  await d.daemon.supervisor.stop('away');
  await d.daemon.app.inject({ method: 'GET', url: '/api/v1/access', headers: { authorization: 'Bearer wrong' } });
  const stored = await d.daemon.store.events({ sinceId: lastSeen, limit: 1000 });
  t.ok(stored.some((e) => e.type === 'api.auth.failure'), 'the audit event is stored');
  const missed = stored.filter((e) => e.type.startsWith('gateway.') || e.type.startsWith('session.'));
  t.ok(missed.length >= 2, `${missed.length} state events happened while away`);

  const resumed = await collect(client.events({ lastEventId: lastSeen, signal: abort.signal }), (s) => s.filter((e) => e.id !== null).length >= missed.length, 10_000);
  const replayed = resumed.filter((e) => e.id !== null);
  t.same(replayed.map((e) => e.id).slice(0, missed.length), missed.map((e) => e.id), 'exactly the missed state events, in order');
  t.notOk(replayed.some((e) => e.type.startsWith('api.')), 'the operator\'s audit is not for apps');

  const filtered = client.events({ lastEventId: 0, types: ['session.'], signal: abort.signal });
  const onlySession = await collect(filtered, (s) => s.some((e) => e.id !== null), 5000);
  t.ok(onlySession.filter((e) => e.id !== null).every((e) => e.type.startsWith('session.')), 'types filter');

  const bad = await d.daemon.app.inject({ method: 'GET', url: '/api/v1/events/stream', headers: { authorization: `Bearer ${d.token}`, 'last-event-id': 'x' } });
  t.match([bad.statusCode, bad.json().code], [400, 'IBGW_BAD_REQUEST']);
  t.equal((await d.daemon.app.inject({ method: 'GET', url: '/api/v1/events/stream' })).statusCode, 401);
});

t.test('a client that does not read is dropped; the daemon does not buffer for it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ibgw-sse-'));
  const store = new Store({ dataDir: dir, maxEvents: 100_000 });
  await store.open();
  const hub = new EventStreamHub(store, { maxBufferBytes: 64 * 1024, maxClients: 10, heartbeatMs: 60_000 });
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    void hub.open(res, { lastId: null, accepts: () => true, notices: [] });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(async () => {
    hub.closeAll();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const { port } = server.address() as { port: number };
  const socket = connect(port, '127.0.0.1');
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  socket.pause(); // never reads
  const closed = new Promise((r) => socket.once('close', r));
  await waitFor(() => hub.stats().clients === 1, 5000, 'the stream to open');
  const data = { blob: 'x'.repeat(2000) };
  // Far more than the kernel's socket buffers hold: Node's own buffer must be what fills up.
  for (let i = 0; i < 20_000 && hub.stats().clients > 0; i++) {
    store.record({ type: 'gateway.test', level: 'info', message: `event ${i}`, data });
    if (i % 500 === 0) await new Promise((r) => setImmediate(r));
  }
  t.equal(hub.stats().dropped, 1, 'dropped');
  t.equal(hub.stats().clients, 0);
  socket.resume();
  await closed;
});
