/**
 * Whatever goes wrong, the API answers JSON {code, message} with a catalog code: Fastify's own
 * client errors are mapped, a fault of the daemon is a 500 that leaks nothing.
 */
import type { InjectOptions } from 'fastify';
import t from 'tap';
import { ERR_BAD_REQUEST, ERR_BODY_TOO_LARGE, ERR_INTERNAL, ERR_INVALID_JSON, ERR_NOT_FOUND, ERR_UNSUPPORTED_MEDIA_TYPE } from '../../daemon/errors.js';
import { testConfig } from '../fixtures/gateway/config.js';
import { adminHeaders, buildTestApp } from '../helpers/api-app.js';
import { tempDir } from '../helpers/temp-dir.js';

t.test('client mistakes are 4xx with catalog codes; a daemon fault is IBGW_INTERNAL', async (t) => {
  const config = testConfig(tempDir(t));
  const { app } = await buildTestApp(t, { config: () => config, conf: null });
  // A route that fails the way a bug would: a plain Error with internals in its message.
  app.get('/test/fault', async () => {
    throw new Error('secret internals at /root/x');
  });
  const json = { ...adminHeaders, 'content-type': 'application/json' };
  const cases: Array<[string, InjectOptions, number, string]> = [
    ['unknown route', { method: 'GET', url: '/api/v1/nope' }, 404, ERR_NOT_FOUND.code],
    ['bad JSON', { method: 'POST', url: '/api/v1/conf/preview', headers: json, payload: '{"text": ' }, 400, ERR_INVALID_JSON.code],
    ['empty JSON body', { method: 'POST', url: '/api/v1/conf/preview', headers: json, payload: '' }, 400, ERR_INVALID_JSON.code],
    ['not JSON', { method: 'POST', url: '/api/v1/conf/preview', headers: { ...adminHeaders, 'content-type': 'application/xml' }, payload: '<text/>' }, 415, ERR_UNSUPPORTED_MEDIA_TYPE.code],
    ['too large', { method: 'POST', url: '/api/v1/conf/preview', headers: json, payload: JSON.stringify({ text: 'x'.repeat(1024 * 1024 + 1) }) }, 413, ERR_BODY_TOO_LARGE.code],
    ['schema', { method: 'POST', url: '/api/v1/conf/preview', headers: json, payload: { text: { lines: 1 } } }, 400, ERR_BAD_REQUEST.code],
    ['fault', { method: 'GET', url: '/test/fault' }, 500, ERR_INTERNAL.code],
  ];
  for (const [what, request, status, code] of cases) {
    const res = await app.inject(request);
    t.equal(res.statusCode, status, `${what}: ${status}`);
    t.match(res.json(), { code, message: String }, `${what}: ${code}`);
  }
  const fault = await app.inject({ method: 'GET', url: '/test/fault' });
  t.notMatch(fault.body, /secret internals/, 'a 500 does not leak the error message');
});
