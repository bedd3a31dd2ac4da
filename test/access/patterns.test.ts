import t from 'tap';
import { ERR_ACCESS_PATTERN } from '../../daemon/errors.js';
import { explainAccess } from '../../daemon/access/matcher.js';
import { parseAccessEntry } from '../../daemon/access/patterns.js';
import { interfaceSuggestions } from '../../daemon/access/suggestions.js';

t.test('gateway forms, CIDR and ranges translate exactly', async (t) => {
  const table: Array<[string, string]> = [
    ['10.*', '10.*'],
    ['172.17.*', '172.17.*'],
    ['192.168.1.*', '192.168.1.*'],
    ['127.0.0.1', '127.0.0.1'],
    [' 10.1.2.3 ', '10.1.2.3'],
    ['10.0.0.0/8', '10.*'],
    ['172.17.0.0/16', '172.17.*'],
    ['192.168.5.0/24', '192.168.5.*'],
    ['192.168.5.7/32', '192.168.5.7'],
    ['172.17.3.4/16', '172.17.*'],
    ['10.0.0.0-10.0.0.255', '10.0.0.*'],
    ['10.0.0.0 - 10.255.255.255', '10.*'],
    ['10.1.0.0-10.1.255.255', '10.1.*'],
    ['10.0.0.7-10.0.0.7', '10.0.0.7'],
  ];
  for (const [input, pattern] of table) t.equal(parseAccessEntry(input).pattern, pattern, input);
  t.equal(parseAccessEntry('10.0.0.0/8').from, 'cidr');
  t.equal(parseAccessEntry('10.0.0.0-10.0.0.255').from, 'range');
});

t.test('inexpressible blocks are refused with the nearest safe forms', async (t) => {
  const refusal = (input: string) => {
    try {
      parseAccessEntry(input);
    } catch (err) {
      t.equal((err as { code: string }).code, ERR_ACCESS_PATTERN.code, input);
      return err as Error & { details?: { suggestions: string[] } };
    }
    throw new Error(`${input} was accepted`);
  };
  const twenty = refusal('10.1.16.0/20');
  t.same(twenty.details!.suggestions, Array.from({ length: 16 }, (_, i) => `10.1.${16 + i}.*`));
  t.match(twenty.message, /10\.1\.16\.\*, 10\.1\.17\.\*.*10\.1\.31\.\*/);
  const twelve = refusal('172.16.0.0/12');
  t.same(twelve.details!.suggestions, Array.from({ length: 16 }, (_, i) => `172.${16 + i}.*`));
  t.same(refusal('192.168.0.0/23').details!.suggestions, ['192.168.0.*', '192.168.1.*']);
  const nine = refusal('10.0.0.0/9');
  t.equal(nine.details!.suggestions.length, 128);
  t.match(nine.message, /128 entries.*10\.0\.\*, 10\.1\.\*, 10\.2\.\*, 10\.3\.\*, … 10\.127\.\*/);
  t.same(refusal('10.0.0.8/30').details!.suggestions, ['10.0.0.8', '10.0.0.9', '10.0.0.10', '10.0.0.11']);
  t.same(refusal('10.0.0.0-10.0.1.255').details!.suggestions, ['10.0.0.*', '10.0.1.*']);
  t.same(refusal('10.0.0.250-10.0.1.1').details!.suggestions, ['10.0.0.250', '10.0.0.251', '10.0.0.252', '10.0.0.253', '10.0.0.254', '10.0.0.255', '10.0.1.0', '10.0.1.1']);
  t.match(refusal('0.0.0.0/0').message, /500/);
});

t.test('forms the gateway never matches or that break it are refused with a reason', async (t) => {
  const reasons: Array<[string, RegExp]> = [
    ['*', /HTTP 500/],
    ['localhost', /host names never match.*127\.0\.0\.1/],
    ['gateway.example.com', /host names never match/],
    ['127.0.*.*', /write 127\.0\.\*/],
    ['10.*.1.1', /may only end the pattern/],
    ['10.0.0.1*', /may only end/],
    ['212.90.324.10', /324 is out of range/],
    ['10.01.0.1', /leading zeros/],
    ['10.0.0', /not an IPv4 address/],
    ['::1', /IPv6/],
    ['10.0.0.0/33', /prefix length/],
    ['10.0.0.9-10.0.0.1', /starts after it ends/],
    ['', /empty/],
  ];
  for (const [input, reason] of reasons) t.throws(() => parseAccessEntry(input), { code: ERR_ACCESS_PATTERN.code, message: reason }, JSON.stringify(input));
});

t.test('explainAccess mirrors the gateway', async (t) => {
  const ips = { allow: ['192.*', '131.216.*', '127.0.0.1'], deny: ['212.90.324.10'] };
  t.match(explainAccess('127.0.0.1', ips), { status: 200, allowed: true, list: 'allow', entry: '127.0.0.1' });
  t.match(explainAccess('::ffff:127.0.0.1', ips), { status: 200, address: '127.0.0.1' });
  t.match(explainAccess('172.17.0.2', ips), { status: 404, allowed: false, list: 'allow', entry: null, reason: /matches no allow entry/ });
  t.match(explainAccess('10.0.0.1', { allow: ['10.*'], deny: ['10.0.*'] }), { status: 404, list: 'deny', entry: '10.0.*' }, 'deny first');
  t.match(explainAccess('10.0.0.1', { allow: ['10.*'] }), { status: 200, filtering: false, reason: /deny is missing/ }, 'missing list = open');
  t.match(explainAccess('10.0.0.1', { allow: ['10.*'], deny: ['10.0.0.1'] }), { status: 404 });
  t.match(explainAccess('10.0.0.1', undefined), { status: 200, filtering: false });
  t.match(explainAccess('10.0.0.1', { allow: ['*'], deny: [] }), { status: 500 });
  t.match(explainAccess('10.0.0.1', { allow: [], deny: [] }), { status: 404 }, 'two empty lists refuse everyone');
  // An invalid entry takes the previous entry's pattern; an invalid first entry matches nothing.
  t.match(explainAccess('10.9.9.9', { allow: ['10.*', '10.0.0.0/8'], deny: ['0.0.0.0'] }), { status: 200, entry: '10.*' });
  t.match(explainAccess('10.9.9.9', { allow: ['10.0.0.0/8', '127.0.0.1'], deny: ['0.0.0.0'] }), { status: 404 });
  t.match(explainAccess('127.0.0.1', { allow: ['127.0.*.*'], deny: ['0.0.0.0'] }), { status: 404 }, '127.0.*.* never matches');
});

t.test('interface suggestions cover docker bridges', async (t) => {
  const found = interfaceSuggestions({
    lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
    docker0: [{ address: '172.17.0.1', netmask: '255.255.0.0', family: 'IPv4', mac: '02:42:00:00:00:00', internal: false, cidr: '172.17.0.1/16' }],
    eth0: [
      { address: '10.1.20.5', netmask: '255.255.240.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '10.1.20.5/20' },
      { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: 'fe80::1/64', scopeid: 2 },
    ],
  });
  t.same(found.map((s) => s.pattern), ['127.*', '172.17.*', '10.1.20.*']);
  t.match(found[1].reason, /docker/);
  t.ok(interfaceSuggestions().length > 0, 'this host has at least loopback');
});
