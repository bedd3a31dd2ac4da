/**
 * The gateway's two log files under <cwd>/logs, named by local date like logback's daily
 * rolling: gw.YYYY-MM-DD.log (the DEBUG log, which starts with the whole conf, sslPwd in clear
 * text — the real one does that, so the supervisor must treat these files as secret-bearing) and
 * gw.message.YYYY-MM-DD.log (one line per request).
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

export function localDate(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** logback's default pattern: `2023-04-24 10:15:02.123`. */
export function logTime(d: Date): string {
  return `${localDate(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

class DailyFile {
  private date = '';
  private stream: WriteStream | null = null;

  constructor(private readonly dir: string, private readonly prefix: string) {}

  /** Opens today's file (creating it) so both logs exist from the start, like logback's. */
  write(line: string | null, now: Date): void {
    const date = localDate(now);
    if (date !== this.date || !this.stream) {
      this.stream?.end();
      this.date = date;
      this.stream = createWriteStream(join(this.dir, `${this.prefix}.${date}.log`), { flags: 'a', mode: 0o600 });
      // A full disk must not take the gateway down; the real one keeps serving too.
      this.stream.on('error', () => undefined);
    }
    if (line !== null) this.stream.write(line + '\n');
  }

  close(): void {
    this.stream?.end();
    this.stream = null;
  }
}

export class GatewayLog {
  private readonly main: DailyFile;
  private readonly messages: DailyFile;

  constructor(cwd: string, private readonly now: () => Date = () => new Date()) {
    const dir = join(cwd, 'logs');
    mkdirSync(dir, { recursive: true });
    this.main = new DailyFile(dir, 'gw');
    this.messages = new DailyFile(dir, 'gw.message');
    this.main.write(null, this.now());
    this.messages.write(null, this.now());
  }

  log(level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR', source: string, message: string): void {
    const now = this.now();
    this.main.write(`${logTime(now)} ${level.padEnd(5)} [vert.x-eventloop-thread-0] ${source} - ${message}`, now);
  }

  /** One line per answered (or abandoned) request. */
  message(peer: string, method: string, url: string, status: number | string, ms: number): void {
    const now = this.now();
    this.messages.write(`${logTime(now)} -> ${peer} ${method} ${url} ${status} ${ms}ms`, now);
  }

  close(): void {
    this.main.close();
    this.messages.close();
  }
}
