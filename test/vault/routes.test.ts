import { join } from 'node:path';
import t from 'tap';
import { buildApp } from '../../daemon/api/app.js';
import type { ApiServices } from '../../daemon/api/services.js';
import { VaultService } from '../../daemon/vault/vault-service.js';
import { capture, newKey, PASSWORD, tempDir, TOTP } from '../helpers/vault.js';

const TOKEN = 'vault-routes-admin-token';
const auth = { authorization: `Bearer ${TOKEN}` };

async function app(t: { teardown(fn: () => unknown): void }, vault: VaultService | null, logger = capture().logger) {
  const a = await buildApp({
    services: { adminToken: TOKEN, vault } as ApiServices,
    logger,
    auth: { maxFailures: 100, failureWindowMs: 60_000, failureDelayMs: 0 },
  });
  t.teardown(() => a.close());
  return a;
}

t.test('PUT, GET, DELETE /api/v1/credentials: admin only, write-only secrets', async (t) => {
  const dir = tempDir(t);
  const k = newKey();
  const c = capture();
  const vault = new VaultService({ dataDir: join(dir, 'data'), dotEnvPath: null, env: { ENCRYPTION_KEY: k.hex }, onEvent: c.onEvent, logger: c.logger });
  const api = await app(t, vault, c.logger);
  const bodies: string[] = [];
  const call = async (method: 'GET' | 'PUT' | 'DELETE' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = auth) => {
    const res = await api.inject({ method, url, payload: payload as never, headers });
    bodies.push(res.body);
    return res;
  };

  t.equal((await call('GET', '/api/v1/credentials', undefined, {})).statusCode, 401);
  t.equal((await call('PUT', '/api/v1/credentials', { username: 'demo', password: PASSWORD }, {})).statusCode, 401);
  t.equal((await call('DELETE', '/api/v1/credentials', undefined, { authorization: 'Bearer nope' })).statusCode, 401);
  t.match((await call('GET', '/api/v1/credentials')).json(), { configured: false, keyId: k.id, error: null });

  const put = await call('PUT', '/api/v1/credentials', { username: 'demo', password: PASSWORD, mode: 'live', totpSecret: TOTP });
  t.equal(put.statusCode, 200);
  t.match(put.json(), { configured: true, username: 'demo', mode: 'live', hasTotp: true, keyId: k.id });
  t.notOk('password' in put.json() || 'totpSecret' in put.json(), 'write-only');
  t.same(await vault.getCredentials(), { username: 'demo', password: PASSWORD, mode: 'live', totpSecret: TOTP });
  t.match((await call('GET', '/api/v1/credentials')).json(), { configured: true, username: 'demo', hasTotp: true });

  const bad: Array<[unknown, number, string]> = [
    [{ username: 'demo' }, 400, 'IBGW_BAD_REQUEST'],
    [{ username: 'demo', password: '' }, 400, 'IBGW_BAD_REQUEST'],
    [{ username: 'demo', password: PASSWORD, mode: 'real' }, 400, 'IBGW_BAD_REQUEST'],
    [{ username: 'demo', password: PASSWORD, extra: 1 }, 400, 'IBGW_BAD_REQUEST'],
    [{ username: 'demo', password: { nested: 1 } }, 400, 'IBGW_BAD_REQUEST'],
    [{ username: 'demo', password: `${PASSWORD}\r\n` }, 400, 'IBGW_CREDENTIALS_INVALID'],
    [{ username: 'demo', password: PASSWORD, totpSecret: `${TOTP}!` }, 400, 'IBGW_CREDENTIALS_INVALID'],
  ];
  for (const [payload, status, code] of bad) {
    const res = await call('PUT', '/api/v1/credentials', payload);
    t.equal(res.statusCode, status, JSON.stringify(Object.keys(payload as object)));
    t.equal(res.json().code, code);
    t.match(res.json().message, /password|mode|extra|totpSecret|username|property/, 'names the field');
  }
  const notJson = await api.inject({ method: 'PUT', url: '/api/v1/credentials', headers: { ...auth, 'content-type': 'application/json' }, payload: `{"username":"demo","password":"${PASSWORD}"` });
  bodies.push(notJson.body);
  t.equal(notJson.statusCode, 400, 'bad JSON is a 400');
  t.match(await vault.getCredentials(), { username: 'demo', password: PASSWORD }, 'nothing lost to bad input');

  const del = await call('DELETE', '/api/v1/credentials');
  t.match(del.json(), { configured: false, username: null });
  t.same(await vault.getCredentials(), null);

  const rotated = await call('POST', '/api/v1/vault/rotate-key', {});
  t.equal(rotated.statusCode, 409, 'a key from the environment cannot be rotated by ibgw');
  t.equal(rotated.json().code, 'IBGW_VAULT_ROTATE_SOURCE');

  const all = bodies.join('\n') + c.text();
  t.notMatch(all, PASSWORD, 'no password in any answer, log line or event');
  t.notMatch(all, TOTP, 'no TOTP secret in any answer, log line or event');
  t.ok(c.events.some((e) => e.type === 'vault.credentials-changed'));
});

t.test('vault errors are JSON with their code; a daemon without a vault says so', async (t) => {
  const dir = tempDir(t);
  const noKey = await app(t, new VaultService({ dataDir: join(dir, 'data'), dotEnvPath: null, env: {} }));
  const res = await noKey.inject({ method: 'PUT', url: '/api/v1/credentials', headers: auth, payload: { username: 'demo', password: PASSWORD } });
  t.equal(res.statusCode, 409, 'the request was fine; the daemon needs a key');
  t.match(res.json(), { code: 'IBGW_VAULT_NO_KEY', message: /^Encryption failed: check encryption keys \(ENCRYPTION_KEY\)/ });
  t.notMatch(res.body, PASSWORD);

  const none = await app(t, null);
  const off = await none.inject({ method: 'GET', url: '/api/v1/credentials', headers: auth });
  t.equal(off.statusCode, 409);
  t.equal(off.json().code, 'IBGW_VAULT_DISABLED');
});
