/**
 * Editing the config file of a running daemon: a bad edit is refused and shown, a launch
 * change restarts the gateway, and no change starts a gateway an operator stopped.
 */
import { readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { waitFor } from '../../testkit/wait-for.js';
import { groupGone, startDaemonProcess } from '../helpers/daemon.js';

t.test('config: a bad edit keeps the last good config and shows in status', async (t) => {
  const d = await startDaemonProcess(t, { waitReady: false });
  const good = readFileSync(d.configFile, 'utf8');
  // The daemon starts watching its file only after the API is up, and nothing outside shows
  // when the watch is ready: the edit is written again until the daemon has noticed it.
  const s = await waitFor(async () => {
    const st = await d.status();
    if (st.daemon.config?.error) return st;
    writeFileSync(d.configFile, `${good}logging:\n  levle: debug\n`);
    return null;
  }, 20_000, 'config error in status', 250);
  t.equal(s.daemon.config.error.key, 'logging.levle');
  t.equal((await d.api('GET', '/healthz', { token: null })).status, 200, 'still running');
  t.equal(s.daemon.config.file, d.configFile);
});

t.test('config: a valid edit that changes the launch restarts the gateway with the reason recorded', async (t) => {
  const d = await startDaemonProcess(t);
  const before = (await d.status()).gateway.pid;
  appendFileSync(d.configFile, '  env:\n    IBGW_TEST_MARK: "edited"\n');
  const after = await waitFor(async () => {
    const s = await d.status();
    return s.gateway.state === 'running' && s.gateway.pid !== before ? s : null;
  }, 30_000, 'gateway restarted after the edit');
  t.ok(groupGone(before), 'old gateway gone');
  t.match(readFileSync(`/proc/${after.gateway.pid}/environ`, 'utf8'), 'IBGW_TEST_MARK=edited', 'the new gateway runs with the edited env');
  const events = (await d.api('GET', '/api/v1/events?type=config')).body.events;
  t.ok(events.some((e: any) => e.type === 'config.restart' && e.data.paths.includes('gateway.env.IBGW_TEST_MARK')), 'reason recorded');
});

t.test('a change that needs a restart never starts a gateway the operator stopped', async (t) => {
  const d = await startDaemonProcess(t);
  const publicStatus = await d.status();
  t.notOk('access' in publicStatus.gateway.info, 'the token-less status does not show the allow/deny lists');
  t.match(publicStatus.gateway.info, { kind: 'simulated', baseUrl: `https://127.0.0.1:${d.gatewayPort}` });

  t.equal((await d.api('POST', '/api/v1/gateway/stop', {})).body.state, 'stopped');
  const added = await d.api('POST', '/api/v1/access/allow', { body: { entry: '10.0.0.0/8', label: 'office' } });
  t.equal(added.status, 200, JSON.stringify(added.body));
  const deferred = await waitFor(async () => {
    const ev = (await d.api('GET', '/api/v1/events?type=gateway.restart-deferred')).body.events;
    return ev.length ? ev : null;
  }, 10_000, 'deferred restart recorded');
  t.match(deferred[0].message, /applies at the next start/);
  t.equal((await d.status()).gateway.state, 'stopped', 'still stopped');

  await d.api('POST', '/api/v1/gateway/start', {});
  await d.waitGateway('running');
  const conf = readFileSync(join(d.dataDir, 'gateway', 'root', 'conf.yaml'), 'utf8');
  t.match(conf, /- 10\.\*/, 'the change is in the conf the gateway started with');
});

t.test('a session.* edit rebuilds the keeper; the API serves the new one, which keeps the tickle pace', async (t) => {
  const d = await startDaemonProcess(t);
  // Between the old keeper's stop and the new one's start the route says the keeper is off (409).
  const live = async () => ((await d.api('GET', '/api/v1/session', { token: null })).body.status?.state ?? 'between') as string;
  const working = (s: string) => !['stopped', 'unknown', 'between'].includes(s);
  await waitFor(async () => working(await live()), 20_000, 'the first keeper at work');
  // Into the session section the helper wrote (resets off): a second one would not parse.
  writeFileSync(d.configFile, readFileSync(d.configFile, 'utf8').replace(/^session:\n/m, 'session:\n  maxRecoveryAttempts: 4\n'));
  await waitFor(async () => {
    const events = (await d.api('GET', '/api/v1/events?type=session.state&limit=1000')).body.events as Array<{ message: string }>;
    return events.some((e) => /→ stopped: keeper stopped/.test(e.message));
  }, 20_000, 'the keeper rebuilt');
  // Failed once in CI (not reproduced since): what the daemon said is in the message if it does again.
  const state = await waitFor(async () => { const s = await live(); return working(s) ? s : null; }, 20_000, 'the new keeper in the API').catch(async (err: Error) => {
    const events = (await d.api('GET', '/api/v1/events?type=session.state&limit=20')).body.events as unknown;
    const session = (await d.api('GET', '/api/v1/session', { token: null })).body as unknown;
    throw new Error(`${err.message}\nsession events: ${JSON.stringify(events)}\nsession: ${JSON.stringify(session)}\ndaemon output (tail): ${d.output().slice(-4000)}`);
  });
  t.not(state, 'stopped', `the API shows the new keeper (${state})`);
  t.not((await d.api('GET', '/readyz', { token: null })).body.session, 'stopped', '/readyz too');
  // The edit came right after the first keeper's tickle: the new one must keep IBKR's 1/s pace.
  t.same((await d.api('GET', '/api/v1/events?type=session.penalty')).body.events, [], 'no 429 from a tickle sent too soon');
});
