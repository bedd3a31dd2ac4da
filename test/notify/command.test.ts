import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import type { CommandChannel } from '../../daemon/config/notify-schema.js';
import { Notifier } from '../../daemon/notify/index.js';
import { notifyConfig } from '../helpers/notify-config.js';
import { groupPids, isAlive } from '../helpers/process-table.js';
import { waitFor } from '../../testkit/wait-for.js';
import { tempDir } from '../helpers/temp-dir.js';

const SCRIPT = fileURLToPath(new URL('../fixtures/notify-command.sh', import.meta.url));
const TOKEN = 'ntfy-tk-5ecret-value';
const secrets = async (name: string) => (name === 'ntfy' ? TOKEN : null);

function command(name: string, args: string[], extra: Partial<CommandChannel> = {}): CommandChannel {
  return { name, type: 'command', command: [SCRIPT, ...args], env: { NTFY_TOKEN: { vault: 'ntfy' }, TOPIC: 'ops' }, ...extra };
}

async function notifier(t: { teardown(fn: () => unknown): void }, channels: CommandChannel[]) {
  const n = new Notifier({ config: notifyConfig(channels, { rules: [{ events: ['x.*'] }], retry: { maxAttempts: 3, backoff: { initialMs: 10, maxMs: 40, factor: 2, jitter: 0 } } }), secrets });
  await n.start();
  t.teardown(() => n.stop());
  return n;
}

t.test('exit 0: the notification on stdin, a small environment with the vault secret, stdout as the answer', async (t) => {
  const dir = tempDir(t, 'ibgw-cmd-');
  process.env.IBGW_ADMIN_TOKEN = 'daemon-admin-token';
  t.teardown(() => { delete process.env.IBGW_ADMIN_TOKEN; });
  const n = await notifier(t, [command('ntfy', ['ok', dir])]);
  n.handle({ type: 'x.y', level: 'warn', message: 'hello' });
  await waitFor(() => n.status().recent[0]?.state === 'delivered', 10_000, 'delivered');
  const id = n.status().recent[0].id;
  const json = JSON.parse(readFileSync(join(dir, `${id}.json`), 'utf8'));
  t.match(json, { schema: 'ibgw.notification/1', id, kind: 'alert', title: 'hello' });
  const env = readFileSync(join(dir, `${id}.env`), 'utf8');
  t.match(env, `NTFY_TOKEN=${TOKEN}`);
  t.match(env, 'TOPIC=ops');
  t.match(env, `IBGW_NOTIFICATION_ID=${id}`);
  t.match(env, 'IBGW_NOTIFICATION_SEVERITY=warn');
  t.notMatch(env, 'IBGW_ADMIN_TOKEN', 'the daemon environment is not passed on');
  t.match(n.status().recent[0].answer, { status: 0, text: `queued ${id}` });
  t.match(n.status().channels[0], { program: SCRIPT, env: ['NTFY_TOKEN', 'TOPIC'] });
});

t.test('a failing exit is retried up to the cap; a sysexits code is final; stderr scrubbed of secrets', async (t) => {
  const dir = tempDir(t, 'ibgw-cmd-');
  const n = await notifier(t, [command('flaky', ['fail', dir, '1']), command('misconfigured', ['fail', dir, '78'])]);
  n.handle({ type: 'x.y', level: 'error', message: 'm' });
  await waitFor(() => n.status().failed.length === 2, 15_000, 'both failed');
  const failed = Object.fromEntries(n.status().failed.map((d) => [d.channel, d]));
  t.match(failed.flaky, { attempts: 3, error: { code: 'IBGW_NOTIFY_COMMAND', message: /exited with status 1: upstream refused token \[redacted\]/ } });
  t.match(failed.misconfigured, { attempts: 1, error: { message: /status 78/ } });
  t.notOk(JSON.stringify(n.status()).includes(TOKEN));
});

t.test('timeout: the whole process group is killed, grandchild included', async (t) => {
  const dir = tempDir(t, 'ibgw-cmd-');
  const n = await notifier(t, [command('stuck', ['hang', dir], { timeoutMs: 300 })]);
  const result = n.test('stuck');
  // A file exists as soon as the shell opened it, before its pid is written: wait for the number.
  const pidIn = (name: string) => (existsSync(join(dir, name)) ? Number(readFileSync(join(dir, name), 'utf8').trim()) || null : null);
  await waitFor(() => pidIn('leader.pid') !== null && pidIn('grandchild.pid') !== null, 10_000, 'pids written');
  const leader = pidIn('leader.pid')!;
  const grandchild = pidIn('grandchild.pid')!;
  t.ok(isAlive(grandchild));
  t.match(await result, { ok: false, error: { code: 'IBGW_NOTIFY_TIMEOUT' } });
  // The group's SIGKILL is delivered at once but each member dies in its own time: wait for all.
  await waitFor(() => !isAlive(grandchild) && !isAlive(leader) && groupPids(leader).length === 0, 5000, 'group gone').catch(() => undefined);
  t.same(groupPids(leader), [], 'nothing left in the group');
});

t.test('stop() during a run ends the group and returns', async (t) => {
  const dir = tempDir(t, 'ibgw-cmd-');
  const n = await notifier(t, [command('stuck', ['hang', dir], { timeoutMs: 60_000 })]);
  n.handle({ type: 'x.y', level: 'error', message: 'm' });
  await waitFor(() => existsSync(join(dir, 'grandchild.pid')), 10_000, 'running');
  const grandchild = Number(readFileSync(join(dir, 'grandchild.pid'), 'utf8'));
  await n.stop();
  await waitFor(() => !isAlive(grandchild), 5000, 'grandchild gone');
  t.equal(n.status().recent[0].state, 'pending', 'interrupted, not failed: it goes again after the next start');
  t.equal(n.status().recent[0].attempts, 0);
});
