/**
 * Malformed requests against every route of the OpenAPI document: bad JSON, wrong types, huge
 * bodies, odd path segments, junk query strings and headers, with and without tokens of each
 * kind. The daemon must answer each with a 4xx and a catalog error — never a 500, never hang,
 * never crash. The only 5xx allowed is the documented 503 of a route that needs the gateway
 * (it is stopped here), which must carry Retry-After.
 */
import t from 'tap';
import { startApiDaemon } from '../helpers/api-daemon.js';

/** mulberry32: the same requests on every run, so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

interface Operation {
  method: string;
  path: string;
  params: string[];
  query: Record<string, { type?: string | string[] }>;
  body: { properties?: Record<string, { type?: string | string[] }> } | null;
  stream: boolean;
}

interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string;
  what: string;
}

const ODD_SEGMENTS = ['', '%00', '..', '%2e%2e', '.', 'x'.repeat(3000), '☃', '%E2%98%83', '%', '%zz', '%2F', '%5C', '-1', '1e999', 'NaN', '0x10', ' ', '%20', 'a%0Ab', '{id}', 'null', '[]'];
const ODD_QUERIES = ['limit=abc', 'limit=-5', 'limit=1e309', 'limit=99999999', 'sinceId=x', 'type=' + 'y'.repeat(5000), 'unknown=1', 'a=1&a=2', '%%%', 'accountId=../../x', 'accountId=' + 'U'.repeat(200), 'types=GATEWAY!', 'lastEventId=-1', 'address=' + '1'.repeat(300), '=', '&&&', 'x[y]=1', `q=${'%E0%A4%A'}`];
const BAD_BODIES: Array<[string, string]> = [
  ['{', 'application/json'], ['{"a":', 'application/json'], ['[1,2', 'application/json'], ['nul', 'application/json'],
  ['[]', 'application/json'], ['123', 'application/json'], ['"text"', 'application/json'], ['true', 'application/json'],
  ['{"__proto__":{"x":1}}', 'application/json'], ['{"constructor":{"prototype":{"x":1}}}', 'application/json'],
  ['<a/>', 'application/xml'], ['a=1', 'application/x-www-form-urlencoded'], ['plain', 'text/plain'], ['{}', 'application/octet-stream'],
  ['{"unknown":1}', 'application/json'], ['', 'application/json'],
];
const WRONG_VALUES = [123, -1, 1e308, true, null, [], ['x'], { nested: { deep: 1 } }, 'x'.repeat(300_000), '', '\u0000'];

function operations(spec: { paths: Record<string, Record<string, any>> }): Operation[] {
  return Object.entries(spec.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => {
    const parameters = (op.parameters ?? []) as Array<{ in: string; name: string; schema?: { type?: string } }>;
    const body = op.requestBody?.content?.['application/json']?.schema ?? null;
    return {
      method: method.toUpperCase(), path,
      params: parameters.filter((p) => p.in === 'path').map((p) => p.name),
      query: Object.fromEntries(parameters.filter((p) => p.in === 'query').map((p) => [p.name, p.schema ?? {}])),
      body,
      stream: path.endsWith('/events/stream'),
    };
  }));
}

function generate(ops: Operation[], tokens: Record<string, string | null>, count: number): FuzzRequest[] {
  const random = rng(11);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const out: FuzzRequest[] = [];
  const tokenNames = Object.keys(tokens);
  for (let i = 0; out.length < count; i++) {
    const op = ops[i % ops.length]!;
    const tokenName = pick(tokenNames);
    const token = tokens[tokenName];
    const headers: Record<string, string> = token === null ? {} : { authorization: token };
    let path = op.path;
    for (const name of op.params) path = path.replace(`{${name}}`, random() < 0.8 ? pick(ODD_SEGMENTS) : 'ok');
    const kind = Math.floor(random() * 6);
    let query = '';
    let payload: string | undefined;
    let what = `${op.method} ${op.path} token=${tokenName}`;
    if (kind === 0 || op.method === 'GET' || op.method === 'DELETE') {
      const names = Object.keys(op.query);
      query = random() < 0.5 || names.length === 0 ? pick(ODD_QUERIES) : `${pick(names)}=${encodeURIComponent(JSON.stringify(pick(WRONG_VALUES)).slice(0, 500))}`;
      what += ` query=${query.slice(0, 40)}`;
    }
    if (op.method !== 'GET') {
      if (kind === 1) {
        const [text, type] = pick(BAD_BODIES);
        payload = text;
        headers['content-type'] = type;
      } else if (kind === 2 && op.body?.properties) {
        const prop = pick(Object.keys(op.body.properties));
        payload = JSON.stringify({ [prop]: pick(WRONG_VALUES) });
        headers['content-type'] = 'application/json';
      } else if (kind === 3) {
        payload = JSON.stringify({ reason: 'x'.repeat(random() < 0.5 ? 70_000 : 2_000_000) });
        headers['content-type'] = 'application/json';
      } else {
        payload = JSON.stringify({ unexpected: pick(WRONG_VALUES) });
        headers['content-type'] = 'application/json';
      }
      what += ` body=${payload.slice(0, 40)}`;
    }
    if (kind === 4) headers['last-event-id'] = pick(['x', '-1', '1'.repeat(40), '']);
    if (kind === 5) headers.accept = pick(['text/event-stream', '*/*', 'application/xml']);
    // A stream a valid request would open never ends: its fuzzing is of invalid requests only.
    if (op.stream && token !== null && tokenName !== 'wrong') headers['last-event-id'] = 'not-a-number';
    out.push({ method: op.method, url: `${path}${query ? `?${query}` : ''}`, headers, payload, what });
  }
  return out;
}

t.test('1200 malformed requests across every documented route: no 500, no crash', async (t) => {
  const d = await startApiDaemon(t, { gateway: { autoStart: false }, api: { authFailureDelayMs: 0 } });
  const app = d.daemon.app;
  const admin = `Bearer ${d.token}`;
  const make = async (name: string, scope: string) =>
    `Bearer ${(await app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { authorization: admin }, payload: { name, scope } })).json().token}`;
  const tokens = { none: null, wrong: 'Bearer ibgw_wrongwrongwrong', malformed: 'Basic Zm9vOmJhcg==', admin, read: await make('fuzz-read', 'read'), trade: await make('fuzz-trade', 'trade') };
  const spec = (await app.inject({ method: 'GET', url: '/api/docs/json' })).json();
  const ops = operations(spec);
  t.ok(ops.length >= 40, `${ops.length} documented operations`);
  const requests = generate(ops, tokens, 1200);

  const byStatus = new Map<number, number>();
  const failures: string[] = [];
  for (const r of requests) {
    const res = await app.inject({ method: r.method as 'GET', url: r.url, headers: r.headers, payload: r.payload });
    byStatus.set(res.statusCode, (byStatus.get(res.statusCode) ?? 0) + 1);
    const json = (() => { try { return res.json(); } catch { return null; } })();
    // /readyz is a probe for service managers: its 503 is `{ready: false, reason}` by design.
    const probe = r.url.startsWith('/readyz') && res.statusCode === 503 && json?.ready === false;
    if (res.statusCode >= 500 && !probe) {
      const documented = res.statusCode === 503 && json?.code === 'IBGW_IBKR_UNAVAILABLE' && res.headers['retry-after'];
      if (!documented) failures.push(`${res.statusCode} ${json?.code} ${json?.message?.slice(0, 100)} ← ${r.what}`);
    }
    if (res.statusCode >= 400 && !probe && !(typeof json?.code === 'string' && typeof json?.message === 'string')) failures.push(`${res.statusCode} without {code, message} ← ${r.what}`);
  }
  t.same(failures, [], 'every answer is a deliberate one');
  t.ok((byStatus.get(400) ?? 0) > 100, 'most are refused as bad requests');
  // Past authMaxFailures from one address, bad tokens get 429 at once (valid ones still pass).
  t.ok((byStatus.get(401) ?? 0) + (byStatus.get(429) ?? 0) > 100 && (byStatus.get(403) ?? 0) > 20, 'tokens are checked');
  t.comment([...byStatus].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}: ${n}`).join(', '));
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'the daemon still answers');
  const after = d.daemon.supervisor.status();
  const started = (await d.daemon.store.events({ type: 'gateway.transition' })).find((e) => e.data?.to === 'starting');
  t.equal(after.state, 'stopped', `and did nothing it was not asked to (${started?.message})`);
});
