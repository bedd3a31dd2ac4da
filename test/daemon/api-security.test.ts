/**
 * The running daemon's API under misuse: wrong tokens from the admin's own address, and
 * secrets that must never leave the managed conf.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ERR_AUTH_THROTTLED } from '../../daemon/errors.js';
import { startDaemonProcess } from '../helpers/daemon.js';

t.test('bad tokens from 127.0.0.1 are slowed and limited; the valid token from 127.0.0.1 still works', async (t) => {
  const d = await startDaemonProcess(t, { waitReady: false });
  for (let i = 0; i < 3; i++) t.equal((await d.api('POST', '/api/v1/gateway/stop', { token: `wrong-${i}` })).status, 401);
  const limited = await d.api('POST', '/api/v1/gateway/stop', { token: 'wrong-3' });
  t.equal(limited.status, 429, 'past authMaxFailures: 429');
  t.match(limited.body, { code: ERR_AUTH_THROTTLED.code });
  const events = await d.api('GET', '/api/v1/events?type=api.auth');
  t.equal(events.status, 200, 'the valid token is accepted from the same address');
  const types = events.body.events.map((e: { type: string }) => e.type);
  t.same(types.filter((x: string) => x === 'api.auth.failure').length, 3, 'every 401 recorded');
  t.same(types.filter((x: string) => x === 'api.auth.burst').length, 1, 'and the burst, once');
  t.notMatch(d.output(), /wrong-0/, 'the offered token is not logged');
});

t.test('the keystore password never shows in logs, events or the API', async (t) => {
  const d = await startDaemonProcess(t);
  const conf = readFileSync(join(d.dataDir, 'gateway', 'root', 'conf.yaml'), 'utf8');
  const password = /sslPwd:\s*"?([^"\n]+)"?/.exec(conf)?.[1];
  t.ok(password && password.length >= 16, 'a random keystore password is in the managed conf');
  const logs = await d.api('GET', '/api/v1/gateway/logs?limit=1000');
  t.match(JSON.stringify(logs.body), /sslPwd/, 'the gateway printed its conf');
  t.notOk(JSON.stringify(logs.body).includes(password!), 'API log lines redacted');
  t.notOk(readFileSync(join(d.dataDir, 'logs', 'gateway.log'), 'utf8').includes(password!), 'gateway.log redacted');
  t.notOk(JSON.stringify((await d.api('GET', '/api/v1/events?limit=1000')).body).includes(password!), 'events clean');
  t.notOk(JSON.stringify(await d.status()).includes(password!), 'status clean');
  t.notOk(d.output().includes(password!), 'daemon log clean');
});
