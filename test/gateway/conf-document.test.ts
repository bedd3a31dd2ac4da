import t from 'tap';
import { ConfDocument, formatScalar } from '../../daemon/gateway/conf-document.js';
import { assertConfValid, confProblems } from '../../daemon/gateway/conf-rules.js';
import { unifiedDiff } from '../../daemon/gateway/unified-diff.js';
import { ERR_CONF_INVALID, ERR_CONF_KEY_REJECTED } from '../../daemon/errors.js';
import { shippedConf } from '../fixtures/gateway/config.js';

const changedLines = (a: string, b: string) => {
  const x = a.split('\n');
  const y = b.split('\n');
  if (x.length !== y.length) return ['line count differs'];
  return x.map((line, i) => (line === y[i] ? null : [line, y[i]])).filter(Boolean);
};

t.test('the shipped conf survives a round trip byte for byte', async (t) => {
  const src = shippedConf();
  const doc = ConfDocument.parse(src);
  t.equal(doc.toString(), src);
  // Setting every value to what it already is changes nothing either.
  doc.set(['listenPort'], 5000);
  doc.set(['sslCert'], 'vertx.jks');
  doc.set(['sslPwd'], 'mywebapi');
  doc.set(['listenSsl'], true);
  doc.set(['ips', 'allow'], ['192.*', '131.216.*', '127.0.0.1']);
  doc.set(['ips', 'deny'], ['212.90.324.10']);
  t.equal(doc.toString(), src);
  t.same(doc.keys().slice(0, 3), ['ip2loc', 'proxyRemoteSsl', 'proxyRemoteHost']);
  t.equal(doc.get(['cors', 'origin.allowed']), '*', 'the dotted key is one key');
});

t.test('a change touches only the changed lines', async (t) => {
  const src = shippedConf();
  const doc = ConfDocument.parse(src);
  doc.set(['listenPort'], 5123);
  t.same(changedLines(src, doc.toString()), [['    listenPort: 5000', '    listenPort: 5123']]);
  const diff = unifiedDiff(src, doc.toString());
  t.equal(diff.split('\n').filter((l) => /^[-+][^-+]/.test(l)).length, 2, 'unified diff: one line out, one in');
  t.match(diff, /^--- current\n\+\+\+ proposed\n@@ -1,7 \+1,7 @@/);

  const quoted = ConfDocument.parse(src);
  quoted.set(['sslCert'], '/data dir/tls/keystore.p12');
  quoted.set(['sslPwd'], 'a#b: c');
  t.same(changedLines(src, quoted.toString()), [
    ['    sslCert: "vertx.jks"', '    sslCert: "/data dir/tls/keystore.p12"'],
    ['    sslPwd: "mywebapi"', '    sslPwd: "a#b: c"'],
  ], 'double quotes kept, indentation kept');
  t.equal(ConfDocument.parse(quoted.toString()).get(['sslPwd']), 'a#b: c');
});

t.test('list edits keep untouched entries and the indentation', async (t) => {
  const src = shippedConf();
  const doc = ConfDocument.parse(src);
  doc.set(['ips', 'allow'], ['192.*', '131.216.*', '127.0.0.1', '172.17.*']);
  t.equal(doc.toString(), src.replace('        - 127.0.0.1\n', '        - 127.0.0.1\n        - 172.17.*\n'));
  doc.set(['ips', 'allow'], ['131.216.*', '127.0.0.1', '172.17.*']);
  t.equal(doc.toString(), src.replace('        - 192.*\n', '').replace('        - 127.0.0.1\n', '        - 127.0.0.1\n        - 172.17.*\n'), 'removing the first entry');
  doc.set(['ips', 'deny'], []);
  t.match(doc.toString(), /\n {6}deny: \[\]\n$/);
  doc.set(['ips', 'deny'], ['0.0.0.0']);
  t.match(doc.toString(), /\n {6}deny:\n {8}- 0\.0\.0\.0\n$/);
  t.ok(doc.delete(['ips', 'allow']));
  t.same(doc.get(['ips']), { deny: ['0.0.0.0'] });
  doc.set(['ips', 'allow'], ['127.0.0.1']);
  t.same(doc.get(['ips']), { deny: ['0.0.0.0'], allow: ['127.0.0.1'] });
  const noIps = ConfDocument.parse(src);
  noIps.delete(['ips']);
  noIps.set(['ips', 'allow'], ['127.0.0.1']);
  noIps.set(['ips', 'deny'], ['0.0.0.0']);
  t.equal(noIps.toString().split('\n').slice(-6).join('\n'), '    ips:\n      allow:\n        - 127.0.0.1\n      deny:\n        - 0.0.0.0\n');
});

t.test('comments survive edits', async (t) => {
  const src = '# top\nlistenPort: 5000 # the port\nips:\n  allow:\n    - 127.0.0.1 # me\n    - 10.*\n  # trailing\n  deny:\n    - 0.0.0.0\n# end\n';
  const doc = ConfDocument.parse(src);
  t.equal(doc.toString(), src);
  doc.set(['listenPort'], 6000);
  doc.set(['ips', 'allow'], ['127.0.0.1', '172.17.*']);
  t.equal(doc.toString(), src.replace('5000', '6000').replace('    - 10.*\n', '    - 172.17.*\n'));
  doc.set(['tst'], true);
  t.match(doc.toString(), /\ntst: true\n# end\n$/, 'a new key goes before the closing comment');
});

t.test('scalars are quoted only when plain would read back differently', async (t) => {
  t.equal(formatScalar('10.*'), '10.*');
  t.equal(formatScalar('true'), '"true"');
  t.equal(formatScalar('5000'), '"5000"');
  t.equal(formatScalar(5000), '5000');
  t.equal(formatScalar('*'), '"*"');
  t.equal(formatScalar(''), '""');
});

t.test('validation: unknown keys refused, lists guarded', async (t) => {
  const ok = ConfDocument.parse(shippedConf());
  t.same(confProblems(ok), []);
  const bad = ConfDocument.parse(shippedConf() + '    extraKey: 1\n');
  t.throws(() => assertConfValid(bad, 'conf.yaml'), { code: ERR_CONF_KEY_REJECTED.code });
  const open = ConfDocument.parse(shippedConf());
  open.delete(['ips', 'deny']);
  t.throws(() => assertConfValid(open, 'conf.yaml'), { code: ERR_CONF_INVALID.code });
  t.match(confProblems(open), [{ key: 'ips.deny' }]);
  const star = ConfDocument.parse(shippedConf());
  star.set(['ips', 'allow'], ['*']);
  t.match(confProblems(star)[0].message, /500/);
  t.match(confProblems(ok, { listenPort: 5001 }), [{ key: 'listenPort' }]);
  t.throws(() => ConfDocument.parse('a: [\n'), { code: ERR_CONF_INVALID.code }, 'YAML errors');
  t.throws(() => ConfDocument.parse('- a\n- b\n'), { code: ERR_CONF_INVALID.code }, 'not a mapping');
});
