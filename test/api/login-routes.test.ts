/**
 * GET /api/v1/login and its screenshots through the real app: admin only, names checked
 * against the files the driver keeps (no path can be smuggled in), 409 without a driver.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import t from 'tap';
import type { LoginPort } from '../../daemon/api/login-port.js';
import { ERR_BAD_REQUEST, ERR_LOGIN_SCREENSHOT_NOT_FOUND, ERR_LOGIN_UNAVAILABLE, ERR_UNAUTHORIZED } from '../../daemon/errors.js';
import { listScreenshots, screenshotName } from '../../daemon/login/screenshots.js';
import { adminHeaders, buildTestApp } from '../helpers/api-app.js';
import { tempDir } from '../helpers/temp-dir.js';

/** The port as the daemon builds it (services/login-lifecycle.ts), over a real folder. */
function folderPort(dir: string): LoginPort {
  return {
    status: () => ({ running: false, last: null }),
    unavailable: () => 'no IBKR credentials stored (ibgw credentials set)',
    screenshots: () => listScreenshots(dir),
    screenshot: async (name) => (listScreenshots(dir).includes(name) ? readFile(join(dir, name)) : null),
  };
}

t.test('the login state and its screenshots', async (t) => {
  const dir = join(tempDir(t), 'login');
  mkdirSync(dir);
  const name = screenshotName(Date.parse('2026-01-02T03:04:05Z'), 'IBGW_LOGIN_REJECTED');
  const png = Buffer.from('89504e470d0a1a0a', 'hex');
  writeFileSync(join(dir, name), png);
  writeFileSync(join(dir, 'other.png'), png);
  const { app } = await buildTestApp(t, { login: folderPort(dir) });

  t.equal((await app.inject({ method: 'GET', url: '/api/v1/login' })).json().code, ERR_UNAUTHORIZED.code, 'admin only');
  const state = await app.inject({ method: 'GET', url: '/api/v1/login', headers: adminHeaders });
  t.same(state.json(), { running: false, unavailable: 'no IBKR credentials stored (ibgw credentials set)', last: null, screenshots: [name] });

  const shot = await app.inject({ method: 'GET', url: `/api/v1/login/screenshots/${name}`, headers: adminHeaders });
  t.equal(shot.statusCode, 200);
  t.equal(shot.headers['content-type'], 'image/png');
  t.equal(shot.headers['cache-control'], 'no-store');
  t.same(shot.rawPayload, png);
  t.equal((await app.inject({ method: 'GET', url: `/api/v1/login/screenshots/${name}` })).statusCode, 401, 'the picture is admin only too');
  const other = await app.inject({ method: 'GET', url: '/api/v1/login/screenshots/login-failed-x.png', headers: adminHeaders });
  t.equal(other.json().code, ERR_LOGIN_SCREENSHOT_NOT_FOUND.code, 'a name the driver did not write: 404');
  for (const bad of ['other.png', '..%2Fvault.json', 'login-failed-..%2F..%2Fvault.png']) {
    t.equal((await app.inject({ method: 'GET', url: `/api/v1/login/screenshots/${bad}`, headers: adminHeaders })).json().code, ERR_BAD_REQUEST.code, `${bad}: refused by its shape`);
  }
});

t.test('a daemon without the browser login answers 409', async (t) => {
  const { app } = await buildTestApp(t, {});
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/login', headers: adminHeaders })).json().code, ERR_LOGIN_UNAVAILABLE.code);
});
