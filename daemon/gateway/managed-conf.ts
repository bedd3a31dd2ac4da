import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../atomic-write.js';
import { ConfDocument } from './conf-document.js';
import { assertConfValid, type ConfExpectations } from './conf-rules.js';
import { ConfVersions, type ConfVersion } from './conf-versions.js';

export interface ManagedConfOptions {
  /** The conf.yaml the gateway reads. */
  path: string;
  keepVersions: number;
  /** Values the daemon owns right now (port, keystore); read at each check. */
  expectations?: () => ConfExpectations;
  now?: () => Date;
}

/**
 * The managed conf.yaml on disk: validated, atomic, 0600 (it holds sslPwd), versioned.
 * Every write goes through one queue, so a drift repair, an access change and a launch's
 * render never interleave. `expected` is the content the daemon last wrote or adopted;
 * the drift watcher compares the file with it to tell its own writes from outside edits.
 */
export class ManagedConf {
  readonly path: string;
  readonly versions: ConfVersions;
  private expected: string | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: ManagedConfOptions) {
    this.path = options.path;
    this.versions = new ConfVersions(dirname(options.path), options.keepVersions);
  }

  expectations(): ConfExpectations {
    return this.options.expectations?.() ?? {};
  }

  /** Runs `fn` after every earlier write finished (one writer at a time). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  /**
   * Read synchronously: a few KB, and every gateway start reads it (twice on the usual restart,
   * drift check and render check); through the thread pool each read is four round trips.
   */
  async read(): Promise<string | null> {
    try {
      return readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async document(): Promise<ConfDocument | null> {
    const text = await this.read();
    return text === null ? null : ConfDocument.parse(text, this.path);
  }

  /** True when `text` is what the daemon itself last wrote (or adopted). */
  isExpected(text: string | null): boolean {
    return text !== null && this.expected !== null && text === this.expected;
  }

  /** The content the daemon last wrote or adopted (null before the first render). */
  expectedText(): string | null {
    return this.expected;
  }

  /** Takes the file's present content as the managed one without writing (adopting an outside edit). */
  async adopt(text: string, reason: string, previous: string | null): Promise<void> {
    this.expected = text;
    await this.versions.record(previous, reason, this.now());
  }

  /**
   * Validates and writes; the replaced content becomes a version. Not serialized by itself:
   * callers that read-modify-write wrap the whole step in exclusive().
   */
  async write(text: string, reason: string): Promise<{ changed: boolean; version: number | null }> {
    assertConfValid(ConfDocument.parse(text, this.path), this.path, this.expectations());
    const current = await this.read();
    if (current === text) {
      this.expected = text;
      return { changed: false, version: null };
    }
    // Set before the rename so the watcher, which may fire at once, already sees it as ours;
    // put back if the write fails, or a later drift check would "restore" what never was.
    const previous = this.expected;
    this.expected = text;
    try {
      const version = await this.versions.record(current, reason, this.now());
      await writeFileAtomic(this.path, text, { mode: 0o600 });
      return { changed: true, version };
    } catch (err) {
      this.expected = previous;
      throw err;
    }
  }

  /** Puts the managed content back after a refused outside edit. */
  async restore(): Promise<void> {
    if (this.expected === null) return;
    await writeFileAtomic(this.path, this.expected, { mode: 0o600 });
  }

  listVersions(): Promise<ConfVersion[]> {
    return this.versions.list();
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}
