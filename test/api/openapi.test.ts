import t from 'tap';
import { startApiDaemon } from '../helpers/api-daemon.js';

t.test('OpenAPI document, lazy UI, body limits and catalog errors', async (t) => {
  const d = await startApiDaemon(t, { gateway: { autoStart: false } });
  const app = d.daemon.app;
  const auth = { authorization: `Bearer ${d.token}` };

  const doc = await app.inject({ method: 'GET', url: '/api/docs/json' });
  t.equal(doc.statusCode, 200);
  const spec = doc.json();
  t.equal(spec.openapi, '3.1.0');
  t.ok(spec.paths['/api/v1/status'].get, 'status documented');
  t.notOk(spec.paths['/api/docs/json'], 'the docs routes are not in the document');
  const operations = Object.entries(spec.paths as Record<string, Record<string, any>>).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));
  t.ok(operations.length >= 25, `${operations.length} operations`);
  for (const { path, method, op } of operations) {
    t.ok(op.responses?.['200'] ?? op.responses?.['201'] ?? op.responses?.['202'] ?? op.responses?.['204'], `${method} ${path} has a success shape`);
    t.ok(op.summary, `${method} ${path} has a summary`);
    t.ok(op.tags?.length, `${method} ${path} has a tag`);
  }
  const start = spec.paths['/api/v1/gateway/start'].post;
  t.same(start.security, [{ bearer: [] }], 'admin routes name the bearer scheme');
  t.equal(start['x-ibgw-scope'], 'admin');
  t.notOk(spec.paths['/api/v1/status'].get.security, 'open routes have no security');
  // IBKR's failures handed on are part of the contract of the routes that reach it, and only of those.
  for (const path of ['/api/v1/ibkr/{path}', '/api/v1/portfolio']) {
    const responses = spec.paths[path]?.get?.responses ?? {};
    t.match(responses['502']?.description, /IBGW_IBKR_UPSTREAM/, `${path} documents 502`);
    t.match(responses['504']?.description, /IBGW_GATEWAY_TIMEOUT/, `${path} documents 504`);
  }
  t.notOk(spec.paths['/api/v1/status'].get.responses['502'], 'the status route does not reach IBKR');

  const ui = await app.inject({ method: 'GET', url: '/api/docs' });
  t.equal(ui.statusCode, 200);
  t.match(ui.headers['content-type'], /text\/html/);
  t.match(ui.body, /swagger/i);
  const initializer = await app.inject({ method: 'GET', url: '/api/docs/static/swagger-initializer.js' });
  t.equal(initializer.statusCode, 200);
  const bundle = await app.inject({ method: 'GET', url: '/api/docs/static/swagger-ui-bundle.js' });
  t.equal(bundle.statusCode, 200, 'the UI assets are served');

  const big = await app.inject({ method: 'POST', url: '/api/v1/gateway/stop', headers: { ...auth, 'content-type': 'application/json' }, payload: JSON.stringify({ reason: 'x'.repeat(70_000) }) });
  t.match([big.statusCode, big.json().code], [413, 'IBGW_BODY_TOO_LARGE']);
  const badJson = await app.inject({ method: 'POST', url: '/api/v1/gateway/stop', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"reason":' });
  t.match([badJson.statusCode, badJson.json().code], [400, 'IBGW_INVALID_JSON']);
  const media = await app.inject({ method: 'POST', url: '/api/v1/gateway/stop', headers: { ...auth, 'content-type': 'application/xml' }, payload: '<a/>' });
  t.match([media.statusCode, media.json().code], [415, 'IBGW_UNSUPPORTED_MEDIA_TYPE']);
  const wrongType = await app.inject({ method: 'POST', url: '/api/v1/gateway/stop', headers: auth, payload: { reason: 5 } });
  t.match([wrongType.statusCode, wrongType.json().code], [400, 'IBGW_BAD_REQUEST']);
  t.match(wrongType.json().message, /reason/, 'the message names the field');
  // conf.yaml text may be larger than the default limit.
  const conf = await app.inject({ method: 'POST', url: '/api/v1/conf/preview', headers: auth, payload: { text: 'a: 1\n'.repeat(20_000) } });
  t.not(conf.statusCode, 413, 'conf routes take larger bodies');
});
