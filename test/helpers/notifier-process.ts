/** Runs test/fixtures/notifier-child.mjs (the compiled notifier on a real store) as its own process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceEvent } from '../../daemon/events.js';
import type { NotificationsConfig } from '../../daemon/config/notify-schema.js';
import type { OutboxEntry } from '../../daemon/notify/outbox-types.js';
import { waitFor } from '../../testkit/wait-for.js';

const CHILD = fileURLToPath(new URL('../fixtures/notifier-child.mjs', import.meta.url));

export interface NotifierProcess {
  child: ChildProcess;
  /** Everything it logged (stderr) and printed. */
  output(): string;
  send(event: ServiceEvent): void;
  kill(): Promise<void>;
}

export async function startNotifierProcess(t: { teardown(fn: () => unknown): void }, options: { dataDir: string; config: NotificationsConfig; secrets?: Record<string, string> }): Promise<NotifierProcess> {
  const child = spawn(process.execPath, [CHILD, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { out += d; });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.teardown(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); });
  await waitFor(() => out.includes('"ready"') || child.exitCode !== null, 20_000, 'the notifier process');
  if (child.exitCode !== null) throw new Error(`notifier process exited: ${out}`);
  return {
    child,
    output: () => out,
    send: (event) => child.stdin!.write(`${JSON.stringify(event)}\n`),
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The outbox as it is on disk right now (what survives a SIGKILL). */
export function outboxOnDisk(dataDir: string): OutboxEntry[] {
  try {
    return JSON.parse(readFileSync(join(dataDir, 'state.json'), 'utf8')).outbox?.entries ?? [];
  } catch {
    return [];
  }
}
