/**
 * `ibgw access` as an admin runs it: separate CLI processes talking to a real daemon process
 * (which supervises the real simulated gateway), reading the admin token from its file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ERR_ACCESS_LOCKOUT, ERR_ACCESS_PATTERN, ERR_BAD_REQUEST } from '../../daemon/errors.js';
import { restartedFor, runCli, startDaemonProcess } from '../helpers/daemon.js';

const d = await startDaemonProcess(t);
const ibgw = (...args: string[]) => runCli([...args, '--config', d.configFile]);
const confPath = join(d.dataDir, 'gateway', 'root', 'conf.yaml');
const onDisk = () => readFileSync(confPath, 'utf8');

t.test('ibgw access: list, add, remove, explain, suggest', async (t) => {
  const list = await ibgw('access', 'list');
  t.equal(list.code, 0, list.stderr);
  t.match(list.stdout, /^allow:$/m);
  t.match(list.stdout, /probe 127\.0\.0\.1: allowed/);

  const dry = await ibgw('access', 'add', 'allow', '172.17.0.0/16', '--label', 'docker', '--dry-run');
  t.equal(dry.code, 0, dry.stderr);
  t.match(dry.stdout, /would change allow 172\.17\.\* \(from 172\.17\.0\.0\/16\)/);
  t.notMatch(onDisk(), /172\.17\.\*/, 'a dry run writes nothing');

  const pid = (await d.waitGateway('running')).gateway.pid as number;
  const add = await ibgw('access', 'add', 'allow', '172.17.0.0/16', '--label', 'docker');
  t.equal(add.code, 0, add.stderr);
  t.match(add.stdout, /allow 172\.17\.\* \(from 172\.17\.0\.0\/16\): applied, gateway restart requested/);
  t.match(onDisk(), /- 172\.17\.\*/, 'conf.yaml holds the translated pattern');
  t.match((await ibgw('access', 'list')).stdout, /172\.17\.\*\s+# docker/);
  const newPid = await restartedFor(t, d, 'access list changed: add allow 172.17.*', pid);

  const explain = await ibgw('access', 'explain', '172.17.3.4');
  t.equal(explain.code, 0, explain.stderr);
  t.match(explain.stdout, /172\.17\.3\.4: HTTP 200/);
  const denied = await ibgw('access', 'explain', '172.18.0.5');
  t.equal(denied.code, 1, 'explain exits 1 for an address the gateway refuses');
  t.match(denied.stdout, /HTTP 404 Access Denied/);

  const remove = await ibgw('access', 'remove', 'allow', '172.17.*', '--json');
  t.equal(remove.code, 0, remove.stderr);
  t.match(JSON.parse(remove.stdout), { applied: true, list: 'allow', pattern: '172.17.*' });
  t.notMatch(onDisk(), /172\.17\.\*/);
  await restartedFor(t, d, 'access list changed: remove allow 172.17.*', newPid);

  const suggest = await ibgw('access', 'suggest');
  t.equal(suggest.code, 0, suggest.stderr);

  const cases: Array<[string[], string]> = [
    [['access', 'add', 'allow', '10.1.16.0/20'], ERR_ACCESS_PATTERN.code],
    [['access', 'remove', 'allow', '127.0.0.1'], ERR_ACCESS_LOCKOUT.code],
    [['access', 'add', 'maybe', '10.*'], ERR_BAD_REQUEST.code],
    [['access', 'explain'], ERR_BAD_REQUEST.code],
  ];
  for (const [args, code] of cases) {
    const r = await ibgw(...args);
    t.equal(r.code, 1, `${args.join(' ')}: exit 1`);
    t.match(r.stderr, code, `${args.join(' ')}: ${code}`);
  }
});
