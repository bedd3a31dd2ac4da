import t from 'tap';
import type { ServiceEvent } from '../../daemon/events.js';
import { Notifier } from '../../daemon/notify/index.js';
import { quietUntil } from '../../daemon/notify/quiet-hours.js';
import { Store } from '../../daemon/store/store.js';
import { FakeClock } from '../helpers/fake-clock.js';
import { notifyConfig } from '../helpers/notify-config.js';
import { startWebhookReceiver } from '../helpers/notify-receivers.js';
import { waitFor } from '../../testkit/wait-for.js';
import { tempDir } from '../helpers/temp-dir.js';

const NIGHT = { start: '22:00', end: '07:00', timeZone: 'Europe/Zurich' };
const ev = (type: string, message: string, data: Record<string, unknown> = {}): ServiceEvent => ({ type, level: 'error', message, data });

t.test('quiet hours: the window in local time, across midnight and a DST change', async (t) => {
  t.equal(quietUntil(Date.parse('2025-03-03T20:59:00Z'), NIGHT), null, '21:59 in Zurich');
  t.equal(quietUntil(Date.parse('2025-03-03T21:00:00Z'), NIGHT), Date.parse('2025-03-04T06:00:00Z'), '22:00 → 07:00 next morning');
  t.equal(quietUntil(Date.parse('2025-03-04T05:59:00Z'), NIGHT), Date.parse('2025-03-04T06:00:00Z'), 'after midnight: the same morning');
  t.equal(quietUntil(Date.parse('2025-03-04T06:00:00Z'), NIGHT), null, 'half-open: awake at 07:00');
  t.equal(quietUntil(Date.parse('2025-03-29T22:00:00Z'), NIGHT), Date.parse('2025-03-30T05:00:00Z'), 'spring forward: 07:00 CEST');
  t.equal(quietUntil(Date.parse('2025-03-03T12:00:00Z'), { start: '12:00', end: '13:00', timeZone: 'UTC' }), Date.parse('2025-03-03T13:00:00Z'), 'a daytime window');
  t.equal(quietUntil(0, { start: '10:00', end: '10:00', timeZone: 'UTC' }), null, 'an empty window is never quiet');
});

t.test('quiet channels hold, then send one digest when the window ends; a channel with quietHours null is never quiet', async (t) => {
  const rx = await startWebhookReceiver();
  t.teardown(() => rx.close());
  const clock = new FakeClock('2025-03-03T21:30:00Z'); // 22:30 in Zurich
  const n = new Notifier({
    config: notifyConfig([
      { name: 'night', type: 'webhook', url: `${rx.url}/night` },
      { name: 'pager', type: 'webhook', url: `${rx.url}/pager`, quietHours: null },
    ], { quietHours: NIGHT }),
    now: clock.now, timers: clock.timers,
  });
  await n.start();
  t.teardown(() => n.stop());
  n.handle(ev('gateway.transition', 'gateway backoff -> fatal', { to: 'fatal' }));
  n.handle(ev('session.login-blocked', 'login rejected'));
  n.handle(ev('daemon.unclean-start', 'the daemon was not stopped cleanly'));
  await waitFor(() => rx.requests.filter((r) => r.path === '/hook/pager').length === 3, 10_000, 'pager gets them now');
  const night = () => n.status().channels.find((c) => c.name === 'night')!;
  await waitFor(() => night().held === 3, 5000, 'night holds them');
  t.match(night(), { quietNow: true, quietHours: NIGHT, pending: 0 });
  t.equal(rx.requests.filter((r) => r.path === '/hook/night').length, 0);

  clock.advance(8.5 * 3_600_000 - 1); // 06:59:59.999
  t.equal(night().held, 3, 'still quiet a moment before 07:00');
  clock.advance(1);
  await waitFor(() => rx.requests.some((r) => r.path === '/hook/night'), 10_000, 'the digest');
  const digests = rx.requests.filter((r) => r.path === '/hook/night');
  t.equal(digests.length, 1, 'one message for the whole night');
  t.match(digests[0].json, { kind: 'digest', severity: 'error', title: '3 notifications held during quiet hours', items: [{ title: 'gateway backoff -> fatal' }, { title: 'login rejected' }, { title: 'the daemon was not stopped cleanly' }] });
  t.match(digests[0].json.text, /gateway backoff -> fatal/);
  await waitFor(() => night().held === 0 && n.status().recent.filter((d) => d.state === 'digested').length === 3, 5000, 'entries digested');
  t.ok(n.status().recent.filter((d) => d.state === 'digested').every((d) => d.digestId === digests[0].json.id));
});

t.test('hold(): held until release (digest naming the hold); maintenance announcements still go; `until` releases by itself', async (t) => {
  const rx = await startWebhookReceiver();
  t.teardown(() => rx.close());
  const clock = new FakeClock('2025-03-03T12:00:00Z');
  const n = new Notifier({ config: notifyConfig([{ name: 'ops', type: 'webhook', url: rx.url }]), now: clock.now, timers: clock.timers });
  await n.start();
  t.teardown(() => n.stop());
  n.hold('maintenance window w1');
  n.handle(ev('maintenance.start', 'maintenance w1 started', { windowId: 'w1' }));
  n.handle(ev('gateway.transition', 'gateway backoff -> fatal', { to: 'fatal' }));
  await waitFor(() => rx.requests.length === 1, 10_000, 'the maintenance start');
  t.equal(rx.requests[0].json.rule, 'maintenance');
  t.match(n.status(), { hold: { reason: 'maintenance window w1', until: null }, channels: [{ held: 1 }] });
  n.release();
  await waitFor(() => rx.requests.length === 2, 10_000, 'the digest');
  t.match(rx.requests[1].json, { kind: 'digest', title: '1 notification held during the hold (maintenance window w1)' });
  t.equal(n.status().hold, null);

  n.hold('upgrade', clock.now() + 30 * 60_000);
  n.handle(ev('daemon.unclean-start', 'unclean'));
  await waitFor(() => n.status().channels[0].held === 1, 5000, 'held');
  clock.advance(30 * 60_000);
  await waitFor(() => rx.requests.length === 3, 10_000, 'released at `until`');
  t.match(rx.requests[2].json, { kind: 'digest', items: [{ title: 'unclean' }] });
});

t.test('held notifications and the hold survive a restart of the notifier', async (t) => {
  const rx = await startWebhookReceiver();
  t.teardown(() => rx.close());
  const dataDir = tempDir(t, 'ibgw-hold-');
  const clock = new FakeClock('2025-03-03T21:30:00Z');
  const config = notifyConfig([{ name: 'night', type: 'webhook', url: rx.url, quietHours: NIGHT }, { name: 'ops', type: 'webhook', url: `${rx.url}/ops`, quietHours: null }]);
  const open = async () => {
    const store = new Store({ dataDir, maxEvents: 100 });
    await store.open();
    const n = new Notifier({ config, store, now: clock.now, timers: clock.timers });
    await n.start();
    return { store, n };
  };
  const first = await open();
  first.n.hold('maintenance window w2');
  first.n.handle(ev('daemon.unclean-start', 'unclean'));
  await waitFor(() => first.n.status().channels.every((c) => c.held === 1), 5000, 'held on both');
  await first.n.stop();
  await first.store.close();

  clock.advance(9 * 3_600_000); // morning: quiet hours over while the daemon was down
  const second = await open();
  t.teardown(() => second.n.stop());
  t.match(second.n.status(), { hold: { reason: 'maintenance window w2' }, channels: [{ held: 1 }, { held: 1 }] });
  t.equal(rx.requests.length, 0);
  second.n.release();
  await waitFor(() => rx.requests.length === 2, 10_000, 'both digests');
  t.same(rx.requests.map((r) => r.json.kind), ['digest', 'digest']);
});
