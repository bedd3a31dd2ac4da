/**
 * `ibgw conf` as an admin runs it: separate CLI processes talking to a real daemon process
 * (which supervises the real simulated gateway), reading the admin token from its file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ERR_BAD_REQUEST, ERR_CONF_KEY_REJECTED, ERR_CONF_VERSION_NOT_FOUND } from '../../daemon/errors.js';
import { restartedFor, runCli, startDaemonProcess } from '../helpers/daemon.js';
import { tempDir } from '../helpers/temp-dir.js';

const d = await startDaemonProcess(t);
const work = tempDir(t, 'ibgw-cli-files-');
const ibgw = (...args: string[]) => runCli([...args, '--config', d.configFile]);
const confPath = join(d.dataDir, 'gateway', 'root', 'conf.yaml');
const onDisk = () => readFileSync(confPath, 'utf8');

t.test('ibgw conf: show, diff, apply, versions, rollback', async (t) => {
  const rendered = onDisk();
  const show = await ibgw('conf', 'show');
  t.equal(show.code, 0, show.stderr);
  t.match(show.stdout, /sslPwd: "\[redacted\]"/, 'the keystore password is redacted');
  t.notOk(show.stdout.includes(/sslPwd:\s*"?([^"\n]+)"?/.exec(rendered)![1]!), 'not even in passing');

  const file = join(work, 'conf.yaml');
  writeFileSync(file, show.stdout.replace('authDelay: 3000', 'authDelay: 1200'));
  const diff = await ibgw('conf', 'diff', file);
  t.equal(diff.code, 0, diff.stderr);
  t.match(diff.stdout, /^-\s+authDelay: 3000$/m);
  t.match(diff.stdout, /^\+\s+authDelay: 1200$/m);
  t.match(diff.stdout, 'kept by the daemon: sslPwd');
  t.equal(onDisk(), rendered, 'diff writes nothing');

  const pid = (await d.status()).gateway.pid as number;
  const apply = await ibgw('conf', 'apply', file, '--reason', 'cli conf apply');
  t.equal(apply.code, 0, apply.stderr);
  t.match(apply.stdout, /applied \(previous version 1\); gateway restart requested/);
  t.equal(onDisk(), rendered.replace('authDelay: 3000', 'authDelay: 1200'), 'conf.yaml written, the real password kept');
  const newPid = await restartedFor(t, d, 'cli conf apply', pid);

  const versions = await ibgw('conf', 'versions', '--json');
  t.equal(versions.code, 0, versions.stderr);
  const ids = (JSON.parse(versions.stdout).versions as Array<{ id: number }>).map((v) => v.id);
  t.ok(ids.includes(1), `version 1 is listed (${ids.join(', ')})`);
  t.match((await ibgw('conf', 'versions')).stdout, /^\s+1\s+\S+ → \S+\s+\S/m, 'one line per version');

  const rollback = await ibgw('conf', 'rollback', '1');
  t.equal(rollback.code, 0, rollback.stderr);
  t.match(rollback.stdout, /rolled back; gateway restart requested/);
  t.equal(onDisk(), rendered, 'the earlier conf is back, byte for byte');
  await restartedFor(t, d, 'rollback to version 1', newPid);

  const bogus = join(work, 'bogus.yaml');
  writeFileSync(bogus, `${show.stdout}    bogus: 1\n`);
  const problems = await ibgw('conf', 'diff', bogus);
  t.equal(problems.code, 1, 'diff exits 1 when the gateway would refuse the file');
  t.match(problems.stdout, /problem: bogus/);
  const cases: Array<[string[], string]> = [
    [['conf', 'apply', bogus], ERR_CONF_KEY_REJECTED.code],
    [['conf', 'rollback', '999'], ERR_CONF_VERSION_NOT_FOUND.code],
    [['conf', 'rollback', 'latest'], ERR_BAD_REQUEST.code],
    [['conf', 'apply', join(work, 'missing.yaml')], ERR_BAD_REQUEST.code],
    [['conf', 'apply'], ERR_BAD_REQUEST.code],
    [['conf', 'show', '--colour'], ERR_BAD_REQUEST.code],
  ];
  for (const [args, code] of cases) {
    const r = await ibgw(...args);
    t.equal(r.code, 1, `${args.join(' ')}: exit 1`);
    t.match(r.stderr, code, `${args.join(' ')}: ${code}`);
    t.notMatch(r.stderr, /\n\s+at /, `${args.join(' ')}: no stack trace`);
  }
  t.equal(onDisk(), rendered, 'refused input wrote nothing');
});
