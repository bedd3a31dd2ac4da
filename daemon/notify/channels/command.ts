/**
 * Command channel: runs a local program (ntfy, Pushover's curl, sendmail, anything) with the
 * notification as JSON on stdin; exit 0 means delivered.
 *
 * The program runs as the leader of its own process group behind the supervisor's lifeline
 * script, so nothing it starts outlives it: on timeout or stop the whole group is signalled
 * (TERM, then KILL), after a normal exit stragglers are killed, and if the daemon itself is
 * killed with SIGKILL the lifeline closes and the watcher takes the group down.
 */
import { spawn } from 'node:child_process';
import type { Readable, Writable, Duplex } from 'node:stream';
import { ERR_NOTIFY_COMMAND, ERR_NOTIFY_TIMEOUT } from '../../errors.js';
import { graceSeconds, LIFELINE_SCRIPT, signalGroup } from '../../supervisor/process-group.js';
import type { CommandChannel } from '../../config/notify-schema.js';
import type { Notification } from '../notification.js';
import { clip, permanent, type ChannelSender, type DeliveryAnswer, type SendContext } from './channel.js';

const KILL_GRACE_MS = 1000;
const OUTPUT_CAP = 8192;

/** sysexits(3) codes that say "this will not work as configured"; 75 (EX_TEMPFAIL) asks for a retry. */
function isFinalStatus(code: number): boolean {
  return code === 126 || code === 127 || (code >= 64 && code <= 78 && code !== 75);
}

interface Output { text(): string; closed: Promise<void> }

function collect(stream: Readable): Output {
  const chunks: Buffer[] = [];
  let size = 0;
  stream.on('data', (b: Buffer) => {
    if (size < OUTPUT_CAP) chunks.push(b);
    size += b.length;
  });
  stream.on('error', () => {});
  const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
  return { text: () => Buffer.concat(chunks).toString('utf8').slice(0, OUTPUT_CAP).trim(), closed };
}

function quietGroupSignal(pgid: number, signal: NodeJS.Signals): void {
  try {
    signalGroup(pgid, signal);
  } catch {
    // EPERM cannot happen for our own child's group; anything else leaves the lifeline to finish it.
  }
}

export class CommandSender implements ChannelSender {
  readonly type = 'command';
  readonly name: string;
  readonly #config: CommandChannel;

  constructor(config: CommandChannel) {
    this.name = config.name;
    this.#config = config;
  }

  describe(): Record<string, unknown> {
    // Only the program: arguments may carry tokens a user put there despite the vault.
    return { program: this.#config.command[0], timeoutMs: this.#config.timeoutMs ?? null, env: Object.keys(this.#config.env ?? {}) };
  }

  async #environment(n: Notification, ctx: SendContext): Promise<Record<string, string>> {
    // Not the daemon's environment: it may hold IBGW_ADMIN_TOKEN and whatever else the daemon was started with.
    const env: Record<string, string> = {};
    for (const key of ['PATH', 'HOME', 'LANG', 'TZ']) if (process.env[key]) env[key] = process.env[key]!;
    for (const [key, value] of Object.entries(this.#config.env ?? {})) env[key] = await ctx.secrets.value(value);
    Object.assign(env, {
      IBGW_NOTIFICATION_ID: n.id, IBGW_NOTIFICATION_KIND: n.kind, IBGW_NOTIFICATION_SEVERITY: n.severity,
      IBGW_NOTIFICATION_RULE: n.rule ?? '', IBGW_NOTIFICATION_TITLE: n.title,
    });
    return env;
  }

  async send(n: Notification, ctx: SendContext): Promise<DeliveryAnswer> {
    const timeoutMs = this.#config.timeoutMs ?? ctx.timeoutMs;
    const env = await this.#environment(n, ctx);
    const child = spawn('/bin/sh', [LIFELINE_SCRIPT, graceSeconds(KILL_GRACE_MS), ...this.#config.command], {
      env, detached: true, stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    const [stdin, stdout, stderr, lifeline] = child.stdio as unknown as [Writable, Readable, Readable, Duplex];
    lifeline.on('error', () => {});
    const out = collect(stdout);
    const err = collect(stderr);
    // A program that never reads stdin closes it early: EPIPE is its business, not a failure.
    stdin.on('error', () => {});
    stdin.end(JSON.stringify(n));

    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const stopGroup = () => {
      if (timedOut || child.pid === undefined) return;
      timedOut = true;
      quietGroupSignal(child.pid, 'SIGTERM');
      killTimer = setTimeout(() => quietGroupSignal(child.pid!, 'SIGKILL'), KILL_GRACE_MS);
    };
    const timer = setTimeout(stopGroup, timeoutMs);
    ctx.signal.addEventListener('abort', stopGroup, { once: true });
    const exit = await new Promise<{ code: number | null; signal: string | null; error?: Error }>((resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    clearTimeout(timer);
    clearTimeout(killTimer);
    ctx.signal.removeEventListener('abort', stopGroup);
    // Whatever it left behind in its group goes with it; then the lifeline is let go.
    if (child.pid !== undefined) quietGroupSignal(child.pid, 'SIGKILL');
    lifeline.destroy();
    // 'exit' can come before the last output is read; a pipe held by an escaped grandchild never closes.
    let drained: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all([out.closed, err.closed]), new Promise((r) => { drained = setTimeout(r, KILL_GRACE_MS); })]);
    clearTimeout(drained);

    if (timedOut) throw ERR_NOTIFY_TIMEOUT(this.name, timeoutMs);
    if (exit.error) throw permanent(ERR_NOTIFY_COMMAND(this.name, `could not start: ${exit.error.message}`));
    if (exit.code === 0) return { status: 0, text: clip(out.text()) };
    const why = exit.code !== null ? `exited with status ${exit.code}` : `was killed by ${exit.signal}`;
    const detail = clip(err.text() || out.text(), 300);
    const failure = ERR_NOTIFY_COMMAND(this.name, `${why}${detail ? `: ${detail}` : ''}`);
    failure.details = { status: exit.code, signal: exit.signal };
    throw exit.code !== null && isFinalStatus(exit.code) ? permanent(failure) : failure;
  }

  async close(): Promise<void> {}
}
