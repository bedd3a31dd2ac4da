/**
 * A loaded config must not keep its file's text alive. The YAML parser's strings are V8 slices
 * of the text, so one value a service keeps would pin the whole file, once per config generation
 * still referenced (the embedded default is ~86 KB in memory). Checked in a real process's heap
 * snapshot: after the load, only the values may be left, not the text they came from.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { packageRoot } from '../../daemon/package-root.js';
import { tempDir } from '../helpers/temp-dir.js';

t.test('the values of a loaded config do not pin the text of its file', async (t) => {
  const dir = tempDir(t, 'ibgw-config-memory-');
  const marker = `marker-${randomBytes(8).toString('hex')}`;
  const control = `control-${randomBytes(8).toString('hex')}`;
  const padding = `# ${'padding '.repeat(200)}\n`;
  writeFileSync(join(dir, 'ibgw.yaml'), `# ${marker}\n${padding}login:\n  successText: You are now logged in to the gateway\n`);
  // The control: a plain slice of another file's text, kept the same way, must show up — the
  // check would otherwise pass whatever the loader did.
  writeFileSync(join(dir, 'control.txt'), `${control}\n${padding}a value long enough to be sliced, not copied\n`);
  const snapshot = join(dir, 'heap.heapsnapshot');
  const script = `
    import { readFileSync } from 'node:fs';
    import { writeHeapSnapshot } from 'node:v8';
    const { loadConfig } = await import(${JSON.stringify(pathToFileURL(join(packageRoot, 'dist/daemon/config/load.js')).href)});
    const { config } = loadConfig({ file: 'ibgw.yaml', cwd: ${JSON.stringify(dir)}, env: {} });
    const text = readFileSync('control.txt', 'utf8');
    globalThis.kept = { successText: config.login.successText, control: text.slice(text.lastIndexOf('a value'), -1) };
    writeHeapSnapshot(${JSON.stringify(snapshot)});
    console.log(JSON.stringify(globalThis.kept));
  `;
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, env: { PATH: process.env.PATH ?? '' }, timeout: 60_000 }, (err, out, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(out)));
  });
  t.same(JSON.parse(stdout), { successText: 'You are now logged in to the gateway', control: 'a value long enough to be sliced, not copied' });
  const heap = readFileSync(snapshot, 'utf8');
  t.ok(heap.includes(control), 'the control: a kept slice pins its text');
  t.notOk(heap.includes(marker), 'the config file\'s text is gone');
});
