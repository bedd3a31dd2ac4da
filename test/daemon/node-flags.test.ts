/**
 * Every launcher starts node with the daemon's V8 flags (daemon/node-flags.ts): npm start, the
 * `ibgw` bin run by its shebang, pm2's ecosystem file and the systemd unit. The bin is executed
 * for real (the kernel reads its shebang) and the daemon reports the flags it runs with.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { DAEMON_NODE_FLAGS, missingNodeFlags } from '../../daemon/node-flags.js';
import { packageRoot } from '../../daemon/package-root.js';
import type { FootprintReport } from '../../daemon/diagnostics/footprint.js';
import { freePort } from '../../testkit/ports.js';
import { waitFor } from '../../testkit/wait-for.js';
import { CLI } from '../helpers/daemon.js';
import { isAlive } from '../helpers/process-table.js';
import { tempDir } from '../helpers/temp-dir.js';

const flagsIn = (command: string): string[] => command.split(/\s+/).filter((a) => a.startsWith('--') && !a.startsWith('--config'));

t.test('the flag list and what a launch is missing', async (t) => {
  t.ok(DAEMON_NODE_FLAGS.includes('--single-threaded'));
  t.same(missingNodeFlags([...DAEMON_NODE_FLAGS]), []);
  t.same(missingNodeFlags(['--max-semi-space-size=1']), DAEMON_NODE_FLAGS.slice(1));
  t.notOk(DAEMON_NODE_FLAGS.includes('--lite-mode'), 'lite mode turns off WebAssembly, and with it fetch');
});

t.test('npm start, the bin\'s shebang, pm2 and systemd carry the same flags', async (t) => {
  const pkg = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { scripts: { start: string }; bin: { ibgw: string } };
  t.same(flagsIn(pkg.scripts.start), DAEMON_NODE_FLAGS, 'npm start');
  t.equal(pkg.bin.ibgw, 'dist/daemon/cli.js');
  const shebang = readFileSync(join(packageRoot, pkg.bin.ibgw), 'utf8').split('\n')[0]!;
  t.match(shebang, /^#!\/usr\/bin\/env -S node /, 'env -S: one shebang line carries several arguments');
  t.same(flagsIn(shebang), DAEMON_NODE_FLAGS, 'the ibgw bin');
  const ecosystem = (await import(join(packageRoot, 'ecosystem.config.js'))) as { apps: Array<{ node_args: string[] }> };
  t.same(ecosystem.apps[0]!.node_args, DAEMON_NODE_FLAGS, 'pm2');
  const unit = readFileSync(join(packageRoot, 'scripts', 'ibgw.service'), 'utf8');
  const execStart = unit.split('\n').find((l) => l.startsWith('ExecStart='))!;
  t.same(flagsIn(execStart), DAEMON_NODE_FLAGS, 'systemd');
});

t.test('the bin run as a program: its daemon runs with the flags and reports its start footprint', async (t) => {
  const dir = tempDir(t, 'ibgw-flags-');
  const footprintFile = join(dir, 'footprint.json');
  const configFile = join(dir, 'ibgw.yaml');
  writeFileSync(configFile, `dataDir: data\napi:\n  port: ${await freePort()}\ngateway:\n  port: ${await freePort()}\n  autoStart: false\nlogging:\n  level: warn\n`);
  // Executed directly: the kernel runs the shebang's interpreter with its flags.
  const child = spawn(CLI, ['daemon', '--config', configFile, '--footprint', footprintFile], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NODE_OPTIONS: '', IBGW_CONFIG: '', IBGW_ADMIN_TOKEN: '' } });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  t.teardown(() => { if (isAlive(child.pid!)) child.kill('SIGKILL'); });
  await waitFor(() => existsSync(footprintFile), 30_000, 'the footprint file');
  const report = JSON.parse(readFileSync(footprintFile, 'utf8')) as FootprintReport;
  t.same(missingNodeFlags(report.execArgv), [], `runs with ${DAEMON_NODE_FLAGS.join(' ')}`);
  t.same(report.execArgv.filter((a) => DAEMON_NODE_FLAGS.includes(a)), DAEMON_NODE_FLAGS);
  const phases = report.phases.map((p) => p.phase);
  t.same(phases.slice(0, 3), ['node and the CLI', 'daemon modules', 'config and logger'], 'module loading apart from the services');
  t.ok(phases.includes('service supervisor') && phases.at(-1) === 'service startup', 'a mark after each service, in start order');
  for (const p of report.phases) t.ok(p.rssMb > 0 && p.heapUsedMb > 0 && p.heapUsedMb <= p.heapTotalMb, `${p.phase}: figures`);
  t.equal(report.heapSpaces, null, 'heap spaces come with the idle mark');
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  t.notMatch(stderr, /started without/, 'no warning about missing flags');
});

t.test('a hand-made launch without the flags is told so', async (t) => {
  const dir = tempDir(t, 'ibgw-noflags-');
  const configFile = join(dir, 'ibgw.yaml');
  writeFileSync(configFile, `dataDir: data\napi:\n  port: ${await freePort()}\ngateway:\n  port: ${await freePort()}\n  autoStart: false\nlogging:\n  level: warn\n`);
  const child = spawn(process.execPath, [CLI, 'daemon', '--config', configFile], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '', IBGW_CONFIG: '', IBGW_ADMIN_TOKEN: '' } });
  let stderr = '';
  let stdout = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  child.stdout!.on('data', (d) => { stdout += d; });
  t.teardown(() => { if (isAlive(child.pid!)) child.kill('SIGKILL'); });
  await waitFor(() => stdout.includes('API http'), 30_000, 'the daemon to start');
  t.match(stderr, `node was started without ${DAEMON_NODE_FLAGS.join(' ')}`);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
});
