import { rename } from 'node:fs/promises';
import type { Adapter } from 'lowdb';
import { writeFileAtomic } from '../atomic-write.js';
import { readIfPresent } from './read-if-present.js';

export interface QuarantineReport {
  file: string;
  movedTo: string;
  reason: string;
}

/**
 * lowdb adapter: atomic, fsynced writes (write temp + rename), and a file that does not parse
 * is moved aside (never silently overwritten) and reported, so an operator can still read
 * what was in it. A crash mid-write cannot produce such a file, but a full disk or a
 * hand edit can.
 */
export class QuarantiningJsonFile<T> implements Adapter<T> {
  readonly file: string;
  #onQuarantine: (report: QuarantineReport) => void;
  #mode: number;

  constructor(file: string, onQuarantine: (report: QuarantineReport) => void, mode = 0o644) {
    this.file = file;
    this.#onQuarantine = onQuarantine;
    this.#mode = mode;
  }

  async read(): Promise<T | null> {
    const text = await readIfPresent(this.file);
    if (text === null) return null;
    try {
      const data = JSON.parse(text) as T;
      if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error('top level is not an object');
      return data;
    } catch (err) {
      const movedTo = `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await rename(this.file, movedTo);
      this.#onQuarantine({ file: this.file, movedTo, reason: (err as Error).message });
      return null;
    }
  }

  async write(data: T): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify(data, null, 2) + '\n', { mode: this.#mode });
  }
}
