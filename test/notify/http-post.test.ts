import t from 'tap';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { post, type PostFailure } from '../../daemon/notify/channels/http-post.js';
import { packageRoot } from '../../daemon/package-root.js';
import { sharedTls } from '../helpers/sim.js';
import type { Teardown } from '../helpers/temp-dir.js';

async function listen(t: Teardown, server: Server, handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server.on('request', handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => { server.closeAllConnections(); server.close(); });
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const never = () => new AbortController().signal;
const failure = async (p: Promise<unknown>): Promise<PostFailure> => p.then(() => { throw new Error('expected a failure'); }, (err: PostFailure) => err);

t.test('posts the body with its length and the headers; the answer with its status, text and headers', async (t) => {
  let seen: { body: string; headers: IncomingMessage['headers'] } | null = null;
  const host = await listen(t, createServer(), (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      seen = { body, headers: req.headers };
      res.writeHead(429, { 'retry-after': '7' }).end('slow down');
    });
  });
  const answer = await post(`http://${host}/hook`, { 'content-type': 'application/json', 'x-one': 'a' }, '{"ü":1}', never());
  t.equal(answer.status, 429);
  t.equal(answer.text, 'slow down');
  t.equal(answer.header('Retry-After'), '7');
  t.equal(answer.header('x-none'), null);
  t.equal(seen!.body, '{"ü":1}');
  t.equal(seen!.headers['content-length'], String(Buffer.byteLength('{"ü":1}')), 'length in bytes, not characters');
  t.equal(seen!.headers['x-one'], 'a');
});

t.test('a redirect is answered, not followed: the signed body goes nowhere else', async (t) => {
  let hits = 0;
  const elsewhere = await listen(t, createServer(), (_req, res) => { hits++; res.end('ok'); });
  const host = await listen(t, createServer(), (_req, res) => res.writeHead(307, { location: `http://${elsewhere}/` }).end());
  const answer = await post(`http://${host}/`, {}, 'x', never());
  t.equal(answer.status, 307);
  t.equal(hits, 0);
});

t.test('a long answer is read up to the bound', async (t) => {
  const host = await listen(t, createServer(), (_req, res) => res.end('y'.repeat(200_000)));
  const answer = await post(`http://${host}/`, {}, 'x', never(), 1000);
  t.equal(answer.text.length, 1000);
});

t.test('no answer in time: the signal reason (TimeoutError), the connection closed', async (t) => {
  const closed: Promise<unknown>[] = [];
  const host = await listen(t, createServer(), (req) => { closed.push(once(req.socket, 'close')); });
  const started = Date.now();
  const err = await failure(post(`http://${host}/`, {}, 'x', AbortSignal.timeout(200)));
  t.equal(err.name, 'TimeoutError');
  t.ok(Date.now() - started < 5000);
  await Promise.all(closed);
  t.pass('the server saw the connection close');
});

t.test('bad URLs and refused connections say which', async (t) => {
  t.equal((await failure(post('not a url', {}, 'x', never()))).code, 'ERR_INVALID_URL');
  t.equal((await failure(post('ftp://127.0.0.1/', {}, 'x', never()))).code, 'ERR_INVALID_URL');
  const server = createServer();
  const host = await listen(t, server, () => {});
  server.close();
  await once(server, 'close');
  t.equal((await failure(post(`http://${host}/`, {}, 'x', never()))).code, 'ECONNREFUSED');
});

t.test('https: a certificate no trusted CA signed is refused', async (t) => {
  const tls = await sharedTls();
  const server = createHttpsServer({ pfx: readFileSync(tls.keystorePath), passphrase: tls.password });
  let hits = 0;
  const host = await listen(t, server as unknown as Server, (_req, res) => { hits++; res.end('ok'); });
  const err = await failure(post(`https://${host}/`, {}, 'x', never()));
  t.match(err.code, /CERT|SIGNATURE|ISSUER/, `refused: ${err.code}`);
  t.equal(hits, 0, 'nothing was delivered');
});

t.test('a webhook delivery does not load undici (what fetch would keep resident)', async (t) => {
  const host = await listen(t, createServer(), (_req, res) => res.end('ok'));
  const webhook = join(packageRoot, 'dist', 'daemon', 'notify', 'channels', 'webhook.js');
  const script = `
    const { WebhookSender } = await import(${JSON.stringify(webhook)});
    const sender = new WebhookSender({ name: 'hook', type: 'webhook', url: 'http://${host}/' }, 'test');
    const secrets = { value: async (v) => v, get: async () => '' };
    const { materialize } = await import(${JSON.stringify(join(packageRoot, 'dist', 'daemon', 'notify', 'notification.js'))});
    const n = materialize({ kind: 'test', rule: null, severity: 'info', title: 'x', text: 'y', events: [] }, Date.now());
    const answer = await sender.send(n, { secrets, signal: new AbortController().signal, timeoutMs: 5000 });
    const undici = () => process.moduleLoadList.some((m) => m.includes('undici'));
    const before = undici();
    await (await fetch('http://${host}/')).text(); // the check itself: fetch does load it
    console.log(JSON.stringify({ status: answer.status, undici: before, afterFetch: undici() }));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, NODE_OPTIONS: '' } });
  t.same(JSON.parse(stdout), { status: 200, undici: false, afterFetch: true });
});
