/**
 * gateway.log with size rotation (gateway.log → .1 → .2 …), written by one asynchronous loop.
 *
 * The writer must never slow the gateway down: the pipe from the gateway is drained by the
 * capture at whatever speed it produces, and lines only queue here. If the disk cannot keep
 * up, the queue is bounded — lines beyond `maxPendingBytes` are dropped and counted rather
 * than held in memory (a supervisor whose own memory grows for weeks is a known failure).
 */
import { mkdirSync } from 'node:fs';
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface RotatingFileOptions {
  path: string;
  maxFileBytes: number;
  /** Files kept in all, the live one included: gateway.log plus .1 … .(maxFiles-1). */
  maxFiles: number;
  maxPendingBytes?: number;
  onError?: (err: Error) => void;
}

/** One write call carries at most this much: big enough to be cheap, small enough to rotate on time. */
const CHUNK_BYTES = 256 * 1024;

export class RotatingFile {
  readonly #o: Required<Omit<RotatingFileOptions, 'onError'>> & Pick<RotatingFileOptions, 'onError'>;
  #queue: string[] = [];
  #head = 0;
  #pendingBytes = 0;
  #dropped = 0;
  #handle: FileHandle | null = null;
  #size = 0;
  #draining: Promise<void> | null = null;
  #closed = false;

  constructor(options: RotatingFileOptions) {
    this.#o = { maxPendingBytes: 8 * 1024 * 1024, ...options, maxFiles: Math.max(1, options.maxFiles) };
    // Gateway output carries secrets (the start log prints sslPwd): owner-only folder and file.
    mkdirSync(dirname(options.path), { recursive: true, mode: 0o700 });
  }

  get droppedLines(): number {
    return this.#dropped;
  }

  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Queue one line (without newline). Returns false when it was dropped. */
  write(line: string): boolean {
    const text = `${line}\n`;
    const bytes = Buffer.byteLength(text);
    if (this.#closed || this.#pendingBytes + bytes > this.#o.maxPendingBytes) {
      this.#dropped++;
      return false;
    }
    this.#queue.push(text);
    this.#pendingBytes += bytes;
    this.#draining ??= this.#drain().finally(() => {
      this.#draining = null;
    });
    return true;
  }

  /** Resolves when everything queued so far is on disk (or dropped). */
  async flush(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    await this.#handle?.close();
    this.#handle = null;
  }

  #takeChunk(room: number): { text: string; bytes: number; lines: number } {
    const parts: string[] = [];
    let bytes = 0;
    while (this.#head < this.#queue.length) {
      const line = this.#queue[this.#head]!;
      const b = Buffer.byteLength(line);
      // A single line longer than a whole file still has to go somewhere: it gets a file of its own.
      if (parts.length > 0 && (bytes + b > room || bytes + b > CHUNK_BYTES)) break;
      if (parts.length === 0 && b > room && this.#size > 0) break;
      parts.push(line);
      bytes += b;
      this.#head++;
    }
    // Reclaim the consumed front of the queue instead of shift()ing every line: all of it once
    // everything is taken (the written lines would otherwise stay referenced until the next
    // 4096), or now and then while lines keep coming.
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    return { text: parts.join(''), bytes, lines: parts.length };
  }

  async #drain(): Promise<void> {
    while (this.#head < this.#queue.length) {
      try {
        if (!this.#handle) {
          this.#handle = await open(this.#o.path, 'a', 0o600);
          this.#size = (await this.#handle.stat()).size;
        }
        const chunk = this.#takeChunk(this.#o.maxFileBytes - this.#size);
        if (chunk.lines === 0) {
          await this.#rotate();
          continue;
        }
        this.#pendingBytes -= chunk.bytes;
        try {
          await this.#handle.write(chunk.text);
          this.#size += chunk.bytes;
        } catch (err) {
          // Disk full or gone: these lines are lost; count them so status() shows it.
          this.#dropped += chunk.lines;
          this.#o.onError?.(err as Error);
        }
      } catch (err) {
        // Cannot open or rotate: drop what is queued rather than spin on the error.
        this.#dropped += this.#queue.length - this.#head;
        this.#queue = [];
        this.#head = 0;
        this.#pendingBytes = 0;
        this.#o.onError?.(err as Error);
      }
    }
  }

  async #rotate(): Promise<void> {
    await this.#handle?.close();
    this.#handle = null;
    const { path, maxFiles } = this.#o;
    const name = (i: number) => (i === 0 ? path : `${path}.${i}`);
    if (maxFiles === 1) {
      await unlink(path).catch(() => {});
      return;
    }
    // rename() replaces its target, so the oldest file (.maxFiles-1) is dropped by the first move.
    for (let i = maxFiles - 2; i >= 0; i--) {
      try {
        await stat(name(i));
        await rename(name(i), name(i + 1));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
  }
}
