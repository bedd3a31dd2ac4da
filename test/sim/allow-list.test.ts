/**
 * The `ips` filter, first as a table of parsed patterns, then over real TLS against a real
 * process: the client is always 127.0.0.1, and the conf lists decide whether it is allowed,
 * denied or unmatched. A refusal must be the gateway's odd 404 `Access Denied`.
 */
import { createServer } from 'node:net';
import t from 'tap';
import { checkPeer, compileIpFilter, normalizePeer, parsePattern } from '../../scripts/sim/allow-list.js';
import { startSim, type Sim } from '../helpers/sim.js';

t.test('pattern table', async (t) => {
  t.same(parsePattern('10.*'), { octets: ['10'] });
  t.same(parsePattern('10.1.*'), { octets: ['10', '1'] });
  t.same(parsePattern('10.1.2.*'), { octets: ['10', '1', '2'] });
  t.same(parsePattern('10.1.2.3'), { octets: ['10', '1', '2', '3'] });
  t.same(parsePattern('212.90.324.10'), { octets: ['212', '90', '324', '10'] }, 'the shipped deny entry parses (no range check)');
  for (const bad of ['127.0.*.*', '10.0.0.0/8', 'localhost', '10.*.1.2', '', '::1', '1.2.3.4.5']) {
    t.equal(parsePattern(bad), 'invalid', bad);
  }
  t.equal(parsePattern('*'), 'star');

  const filter = compileIpFilter({ allow: ['10.*', '127.0.*.*', 'localhost'], deny: ['bogus'] });
  t.same(filter.allow, [{ octets: ['10'] }, { octets: ['10'] }, { octets: ['10'] }], 'invalid entries take the previous pattern');
  t.same(filter.deny, [null], 'a first invalid entry has nothing to take and matches nothing');

  const verdicts: Array<[string[] | null, string[] | null, string, string]> = [
    [['127.0.0.1'], [], '127.0.0.1', 'allow'],
    [['127.0.0.1'], [], '::ffff:127.0.0.1', 'allow'],
    [['127.0.0.1'], [], '::1', 'deny'],
    [['127.*'], ['127.0.0.1'], '127.0.0.1', 'deny'],
    [['10.*'], [], '127.0.0.1', 'deny'],
    [['10.*'], null, '127.0.0.1', 'allow'],
    [null, ['127.0.0.1'], '127.0.0.1', 'allow'],
    [[], [], '127.0.0.1', 'deny'],
    [['*'], [], '127.0.0.1', 'broken'],
    [['127.0.0.1'], ['*'], '127.0.0.1', 'broken'],
    [['127.000.0.1'], [], '127.0.0.1', 'allow'],
  ];
  for (const [allow, deny, peer, expected] of verdicts) {
    t.equal(checkPeer(compileIpFilter({ allow, deny }), peer), expected, `allow=${JSON.stringify(allow)} deny=${JSON.stringify(deny)} ${peer}`);
  }
  t.equal(normalizePeer('::FFFF:10.1.2.3'), '10.1.2.3');
});

type Case = { name: string; ips: unknown; expect: 'allowed' | 'denied' | 500 };
const cases: Case[] = [
  { name: 'literal allowed', ips: { allow: ['127.0.0.1'], deny: [] }, expect: 'allowed' },
  { name: 'a.* allowed', ips: { allow: ['127.*'], deny: [] }, expect: 'allowed' },
  { name: 'a.b.* allowed', ips: { allow: ['127.0.*'], deny: [] }, expect: 'allowed' },
  { name: 'a.b.c.* allowed', ips: { allow: ['127.0.0.*'], deny: [] }, expect: 'allowed' },
  { name: 'deny wins over allow', ips: { allow: ['127.*'], deny: ['127.0.0.1'] }, expect: 'denied' },
  { name: 'unmatched', ips: { allow: ['10.*', '192.168.1.*'], deny: [] }, expect: 'denied' },
  { name: '127.0.*.* never matches', ips: { allow: ['127.0.*.*'], deny: [] }, expect: 'denied' },
  { name: 'CIDR never matches', ips: { allow: ['127.0.0.0/8'], deny: [] }, expect: 'denied' },
  { name: 'localhost never matches', ips: { allow: ['localhost'], deny: [] }, expect: 'denied' },
  { name: 'invalid entry takes the previous (10.*)', ips: { allow: ['10.*', '127.0.*.*'], deny: [] }, expect: 'denied' },
  { name: 'invalid entry takes the previous (127.0.0.1)', ips: { allow: ['127.0.0.1', 'localhost'], deny: ['10.*', '127.0.*.*'] }, expect: 'allowed' },
  { name: 'bare * → 500', ips: { allow: ['*'], deny: [] }, expect: 500 },
  { name: 'bare * in deny → 500', ips: { allow: ['127.0.0.1'], deny: ['*'] }, expect: 500 },
  { name: 'deny missing → no filtering', ips: { allow: ['10.*'] }, expect: 'allowed' },
  { name: 'allow missing → no filtering, even when denied', ips: { deny: ['127.0.0.1'] }, expect: 'allowed' },
  { name: 'no ips section → no filtering', ips: undefined, expect: 'allowed' },
  { name: 'both empty → everyone refused', ips: { allow: [], deny: [] }, expect: 'denied' },
];

t.test('over the wire, with 127.0.0.1 as the peer', async (t) => {
  // A few at a time: starting all of them at once can starve a loaded 2-core machine.
  const sims: Sim[] = [];
  for (let i = 0; i < cases.length; i += 6) {
    sims.push(...(await Promise.all(cases.slice(i, i + 6).map((c) => startSim(t, { conf: { ips: c.ips } })))));
  }
  for (const [i, c] of cases.entries()) {
    const sim = sims[i]!;
    const res = await sim.request('GET', '/v1/api/tickle');
    if (c.expect === 'denied') {
      t.equal(res.status, 404, `${c.name}: 404`);
      t.equal(res.body, 'Access Denied', `${c.name}: body`);
      t.equal(res.headers['content-length'], '13', `${c.name}: 13 bytes`);
      t.notOk('content-type' in res.headers, `${c.name}: no content type`);
    } else if (c.expect === 500) {
      t.equal(res.status, 500, c.name);
    } else {
      t.equal(res.status, 401, `${c.name}: reaches the API (401: not logged in)`);
    }
  }
});

t.test('X-Forwarded-For is ignored: only the TCP peer counts', async (t) => {
  const refused: Sim = await startSim(t, { conf: { ips: { allow: ['10.*'], deny: [] } } });
  const res = await refused.request('GET', '/', { headers: { 'x-forwarded-for': '10.1.2.3' } });
  t.equal(res.status, 404);
  const allowed = await startSim(t, { conf: { ips: { allow: ['127.0.0.1'], deny: [] } } });
  const ok = await allowed.request('GET', '/', { headers: { 'x-forwarded-for': '10.1.2.3' } });
  t.equal(ok.status, 302);
  const state = await refused.control('/state');
  t.same(state.counters, {}, 'refused requests never reach the API counters');
});

/** Can this host listen on '::' at all? Only then is the dual-stack case testable. */
function ipv6Listen(): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(0, '::', () => server.close(() => resolve(true)));
  });
}

t.test('a dual-stack listener sees ::ffff:127.0.0.1 and treats it as 127.0.0.1', { skip: (await ipv6Listen()) ? false : 'no IPv6 on this host' }, async (t) => {
  const sim = await startSim(t, { conf: { ips: { allow: ['127.0.0.1'], deny: [] } }, extraArgs: ['--bind', '::'], timeoutMs: 5000 });
  t.equal((await sim.request('GET', '/')).status, 302);
});
