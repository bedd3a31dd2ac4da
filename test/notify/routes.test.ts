import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import t from 'tap';
import adminAuth from '../../daemon/api/plugins/admin-auth.js';
import errorHandler from '../../daemon/api/plugins/error-handler.js';
import notificationRoutes from '../../daemon/api/routes/notifications.js';
import { buildApp } from '../../daemon/api/app.js';
import type { ApiServices } from '../../daemon/api/services.js';
import { silentLogger } from '../../daemon/logger.js';
import { Notifier } from '../../daemon/notify/index.js';
import { CLI } from '../helpers/daemon.js';
import { notifyConfig } from '../helpers/notify-config.js';
import { startWebhookReceiver } from '../helpers/notify-receivers.js';

const TOKEN = 'test-admin-token';
const SECRET = 'whsec-api-0011223344';
const auth = { authorization: `Bearer ${TOKEN}` };
const run = promisify(execFile);

async function build(t: { teardown(fn: () => unknown): void }) {
  const rx = await startWebhookReceiver({ secret: SECRET });
  t.teardown(() => rx.close());
  const notifier = new Notifier({
    config: notifyConfig([{ name: 'ops', type: 'webhook', url: rx.url, secret: { vault: 'ops' } }]),
    secrets: async (name) => (name === 'ops' ? SECRET : null),
  });
  await notifier.start();
  t.teardown(() => notifier.stop());
  const app: FastifyInstance = await buildApp({
    services: { adminToken: TOKEN, notifier } as unknown as ApiServices,
    logger: silentLogger,
    auth: { maxFailures: 100, failureWindowMs: 60_000, failureDelayMs: 0 },
  });
  t.teardown(() => app.close());
  return { app, rx, notifier };
}

t.test('GET /api/v1/notifications and POST /api/v1/notifications/test', async (t) => {
  const { app, rx } = await build(t);
  t.equal((await app.inject({ method: 'GET', url: '/api/v1/notifications' })).statusCode, 401, 'admin only');
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/notifications/test', payload: { channel: 'ops' } })).statusCode, 401);

  const sent = await app.inject({ method: 'POST', url: '/api/v1/notifications/test', headers: auth, payload: { channel: 'ops' } });
  t.equal(sent.statusCode, 200);
  t.match(sent.json(), { channel: 'ops', ok: true, answer: { status: 200, text: 'ok' }, error: null, id: String, ms: Number });
  t.equal(rx.requests[0].signature, 'ok');

  rx.answer(500);
  const refused = await app.inject({ method: 'POST', url: '/api/v1/notifications/test', headers: auth, payload: { channel: 'ops' } });
  t.equal(refused.statusCode, 200, 'the test ran; the receiver said no');
  t.match(refused.json(), { ok: false, answer: { status: 500 }, error: { code: 'IBGW_NOTIFY_HTTP' } });

  const unknown = await app.inject({ method: 'POST', url: '/api/v1/notifications/test', headers: auth, payload: { channel: 'nope' } });
  t.equal(unknown.statusCode, 404);
  t.match(unknown.json(), { code: 'IBGW_NOTIFY_CHANNEL_UNKNOWN', message: String });
  for (const payload of [{}, { channel: '' }, { channel: 'ops', extra: 1 }]) {
    const bad = await app.inject({ method: 'POST', url: '/api/v1/notifications/test', headers: auth, payload });
    t.match([bad.statusCode, bad.json().code], [400, 'IBGW_BAD_REQUEST'], JSON.stringify(payload));
  }

  const status = await app.inject({ method: 'GET', url: '/api/v1/notifications', headers: auth });
  t.equal(status.statusCode, 200);
  t.match(status.json(), {
    channels: [{ name: 'ops', type: 'webhook', signed: true, url: `http://127.0.0.1:${rx.port}/…` }],
    rules: ['gateway-fatal', 'gateway-crash-loop', 'session-needs-login', 'login-rejected', 'login-budget', 'api-auth-burst', 'tls-expiry', 'maintenance', 'update-available', 'unclean-start'],
    hold: null,
    recent: [{ kind: 'test', state: 'failed' }, { kind: 'test', state: 'delivered' }],
  });
  t.notOk(status.body.includes(SECRET));
});

t.test('the routes need the notifier decorator', async (t) => {
  const app = Fastify();
  t.teardown(() => app.close());
  await app.register(errorHandler);
  await app.register(adminAuth, { token: TOKEN, maxFailures: 1, failureWindowMs: 1, failureDelayMs: 0 });
  await t.rejects((async () => { await app.register(notificationRoutes); await app.ready(); })(), /ibgw-notifier/);
});

t.test('ibgw notify test CHANNEL and ibgw notify status against a listening API', async (t) => {
  const { app, rx } = await build(t);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const cli = (args: string[]) => run(process.execPath, [CLI, 'notify', ...args], {
    env: { ...process.env, IBGW_CONFIG: '', IBGW_API_PORT: String(port), IBGW_ADMIN_TOKEN: TOKEN }, timeout: 60_000,
  }).then((r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }), (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }));

  const ok = await cli(['test', 'ops']);
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stdout, /result\s+delivered/);
  t.match(ok.stdout, /answer\s+200 ok/);
  t.equal(rx.requests.length, 1);

  rx.answer(503);
  const failed = await cli(['test', 'ops']);
  t.equal(failed.code, 1, 'exit 1 when the receiver refused');
  t.match(failed.stdout, /IBGW_NOTIFY_HTTP/);

  const unknown = await cli(['test', 'nope']);
  t.equal(unknown.code, 1);
  t.match(unknown.stderr, 'IBGW_NOTIFY_CHANNEL_UNKNOWN');

  const status = await cli(['status', '--json']);
  t.equal(status.code, 0, status.stderr);
  t.match(JSON.parse(status.stdout), { channels: [{ name: 'ops' }], recent: [{ state: 'failed' }, { state: 'delivered' }] });
  const usage = await cli(['frobnicate']);
  t.equal(usage.code, 1);
  t.match(usage.stderr, 'usage: ibgw notify');
});
