/**
 * The gateway's stdout and stderr, line by line: redacted, kept in a bounded ring for the API,
 * appended to the rotating gateway.log and announced to listeners.
 *
 * The pipes are read in flowing mode and never paused. A full pipe blocks the *writer*: a
 * gateway whose log output stalls stalls with it (and the JVM logs from request threads).
 */
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { RotatingFile } from './log-file.js';

export type LogStream = 'stdout' | 'stderr';

export interface LogLine {
  stream: LogStream;
  text: string;
  at: string;
}

export interface LogCaptureOptions {
  /** Folder of gateway.log (<dataDir>/logs). */
  dir: string;
  ringLines: number;
  maxFileBytes: number;
  maxFiles: number;
  /** Bytes waiting for the disk beyond which lines are dropped (and counted). */
  maxPendingBytes?: number;
  /** Longer lines are cut into pieces of this many characters: one endless line must not eat memory. */
  maxLineLength?: number;
  redactLine?: (line: string) => string;
  now?: () => number;
  onLine?: (line: LogLine) => void;
  onError?: (err: Error) => void;
}

export class LogCapture {
  readonly #ring: (LogLine | undefined)[];
  #next = 0;
  #count = 0;
  readonly #file: RotatingFile;
  readonly #redact: (line: string) => string;
  readonly #now: () => number;
  readonly #maxLine: number;
  readonly #onLine?: (line: LogLine) => void;

  constructor(options: LogCaptureOptions) {
    this.#ring = new Array(Math.max(1, options.ringLines));
    this.#redact = options.redactLine ?? ((line) => line);
    this.#now = options.now ?? Date.now;
    this.#maxLine = options.maxLineLength ?? 64 * 1024;
    this.#onLine = options.onLine;
    this.#file = new RotatingFile({
      path: join(options.dir, 'gateway.log'),
      maxFileBytes: options.maxFileBytes,
      maxFiles: options.maxFiles,
      maxPendingBytes: options.maxPendingBytes,
      onError: options.onError,
    });
  }

  /** Lines lost because the log file fell behind (ring evictions are not losses). */
  get droppedLines(): number {
    return this.#file.droppedLines;
  }

  get pendingBytes(): number {
    return this.#file.pendingBytes;
  }

  /** Read `stream` to its end. Safe to call for every new child; the files and ring are shared. */
  attach(stream: Readable, name: LogStream): void {
    let partial = '';
    // setEncoding uses a StringDecoder: a UTF-8 character split across two chunks stays whole.
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      // One timestamp per chunk: its lines arrived together, and a Date per line is the
      // costliest step of a flood.
      const at = new Date(this.#now()).toISOString();
      const pieces = (partial + chunk).split('\n');
      partial = pieces.pop()!;
      for (const piece of pieces) this.#take(name, piece, at);
      while (partial.length > this.#maxLine) {
        this.#take(name, partial.slice(0, this.#maxLine), at, false);
        partial = partial.slice(this.#maxLine);
      }
    });
    // A last line without newline is still a line; an error on a dead child's pipe is not news.
    stream.on('end', () => {
      if (partial !== '') this.#take(name, partial, new Date(this.#now()).toISOString());
      partial = '';
    });
    stream.on('error', () => {});
  }

  #take(stream: LogStream, raw: string, at: string, split = true): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    // Redaction comes before anything is stored or announced, and on the whole line before it is
    // cut: a secret never reaches ring, disk or listeners, nor is it split past the redactor.
    // (Only a line longer than maxLineLength still in the pipe is redacted piece by piece.)
    const text = this.#redact(line);
    if (split && text.length > this.#maxLine) {
      for (let i = 0; i < text.length; i += this.#maxLine) this.#store(stream, text.slice(i, i + this.#maxLine), at);
      return;
    }
    this.#store(stream, text, at);
  }

  #store(stream: LogStream, text: string, at: string): void {
    const entry: LogLine = { stream, text, at };
    this.#ring[this.#next] = entry;
    this.#next = (this.#next + 1) % this.#ring.length;
    if (this.#count < this.#ring.length) this.#count++;
    this.#file.write(`${entry.at} ${stream} ${entry.text}`);
    this.#onLine?.(entry);
  }

  /** The newest `limit` lines (all kept lines by default), oldest first. */
  lines(limit = this.#count): LogLine[] {
    const n = Math.max(0, Math.min(limit, this.#count));
    const out: LogLine[] = [];
    const size = this.#ring.length;
    for (let i = n; i > 0; i--) out.push(this.#ring[(this.#next - i + size) % size]!);
    return out;
  }

  flush(): Promise<void> {
    return this.#file.flush();
  }

  close(): Promise<void> {
    return this.#file.close();
  }
}
