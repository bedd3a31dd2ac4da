import t from 'tap';
import { startDaemonProcess } from '../helpers/daemon.js';
import { waitFor } from '../../testkit/wait-for.js';

t.test('maintenance through the running daemon: a stop window now, in the status, ended early', async (t) => {
  const d = await startDaemonProcess(t);
  const next = await d.api('GET', '/api/v1/maintenance/next', { token: null });
  t.equal(next.status, 200, 'apps may ask for the next window without a token');

  const now = await d.api('POST', '/api/v1/maintenance/now', { body: { minutes: 30, action: 'stop', title: 'disk swap' } });
  t.equal(now.status, 201, JSON.stringify(now.body));
  await d.waitGateway('stopped');
  const during = await d.status();
  t.match(during.maintenance, { gatewayShouldRun: false }, 'the status says the window holds the gateway');
  t.equal((await d.api('GET', '/readyz', { token: null })).status, 503);

  const bad = await d.api('POST', '/api/v1/maintenance/windows', { body: { title: 'x', action: 'reboot', start: '2030-01-01T00:00:00Z', end: '2030-01-01T01:00:00Z' } });
  t.equal(bad.status, 400);
  t.match(bad.body, { code: 'IBGW_MAINTENANCE_INVALID', details: { field: 'action' } });

  t.equal((await d.api('POST', '/api/v1/maintenance/end')).status, 200);
  await d.waitGateway('running');
  const events = (await d.api('GET', '/api/v1/events?type=maintenance')).body.events.map((e: { type: string }) => e.type);
  t.ok(events.includes('maintenance.start') && events.includes('maintenance.end'), events.join(', '));
  await waitFor(async () => (await d.status()).maintenance?.gatewayShouldRun === true, 10_000, 'the gateway may run again');
});
