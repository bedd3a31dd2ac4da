import t from 'tap';
import { startDaemonProcess } from '../helpers/daemon.js';
import { freePort } from '../../testkit/ports.js';
import { waitFor } from '../../testkit/wait-for.js';

t.test('the daemon runs the simulated IB Gateway like the Client Portal one: status, session, /readyz', async (t) => {
  const commandPort = await freePort();
  const d = await startDaemonProcess(t, {
    yaml: `  kind: simulated-tws\n  ibc:\n    commandServerPort: ${commandPort}\n  ibgateway:\n    probe:\n      intervalMs: 500\n      timeoutMs: 300\n`,
  });
  const authenticated = await waitFor(async () => {
    const s = await d.status();
    return s.session?.state === 'authenticated' ? s : null;
  }, 60_000, 'TWS session authenticated');
  t.equal(authenticated.gateway.info.kind, 'simulated-tws');
  t.equal((await d.api('GET', '/readyz', { token: null })).status, 200, 'ready: handshake answered');
  const restarted = await d.api('POST', '/api/v1/gateway/restart', { body: { reason: 'test' } });
  t.equal(restarted.status, 200);
  await waitFor(async () => (await d.status()).session?.state === 'authenticated', 60_000, 'authenticated again after a restart');
});
