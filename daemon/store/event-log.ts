/**
 * The event history as an append-only JSON-lines file (<dataDir>/events.jsonl), with only the
 * newest events in memory. Why not lowdb's state.json: there every event meant rewriting the
 * whole file (1 MB at 2000 events) and keeping every event as a live object, so a busy daemon's
 * memory grew with its history until the cap. Here an event costs one appended line; the file
 * is rewritten only to drop old events, once per quarter of the cap.
 *
 * A crash mid-append leaves at most a partial last line: it is cut at the next open. Any other
 * line that does not parse (a hand edit, a bad disk) sends the whole file aside, as state.json
 * does, and the lines that do parse are kept.
 */
import { open, copyFile } from 'node:fs/promises';
import { writeFileAtomic } from '../atomic-write.js';
import { readIfPresent } from './read-if-present.js';
import type { ServiceEvent } from '../events.js';

export interface StoredEvent extends ServiceEvent {
  id: number;
  at: string;
}

export interface EventQuery {
  sinceId?: number;
  limit?: number;
  type?: string;
}

export interface EventLogOptions {
  file: string;
  maxEvents: number;
  /** Newest events answered from memory; older ones are read from the file. */
  memoryEvents?: number;
}

export interface EventLogDamage {
  /** Where the damaged file was copied before its good lines were kept. */
  copiedTo: string | null;
  /** Lines dropped: unparseable, or a partial last line from a crash. */
  badLines: number;
}

const DEFAULT_MEMORY_EVENTS = 200;

export class EventLog {
  readonly file: string;
  #maxEvents: number;
  #memoryEvents: number;
  /** The newest events, ascending by id. */
  #recent: StoredEvent[] = [];
  #pending: string[] = [];
  #linesInFile = 0;
  #lastId = 0;
  /** The oldest event in the file or waiting to be appended to it. */
  #firstId: number | null = null;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: EventLogOptions) {
    this.file = options.file;
    this.#maxEvents = options.maxEvents;
    this.#memoryEvents = Math.min(options.memoryEvents ?? DEFAULT_MEMORY_EVENTS, options.maxEvents);
  }

  /** Id of the newest event ever written here; 0 for an empty log. */
  get lastId(): number {
    return this.#lastId;
  }

  /** Id of the oldest event still kept (ids are contiguous), or null when there is none. */
  get oldestId(): number | null {
    return this.#lastId === 0 ? null : Math.max(this.#lastId - this.#maxEvents + 1, this.#firstId ?? this.#lastId);
  }

  last(): StoredEvent | undefined {
    return this.#recent.at(-1);
  }

  async open(): Promise<EventLogDamage | null> {
    const text = await readIfPresent(this.file);
    if (text === null) return null;
    const complete = text.lastIndexOf('\n') + 1;
    const partialTail = complete < text.length;
    const { events, bad } = parseLines(text.slice(0, complete));
    const badLines = bad + (partialTail ? 1 : 0);
    this.#take(events);
    if (badLines === 0) return null;
    let copiedTo: string | null = null;
    // A partial last line alone is the expected trace of a crash mid-append: cut it, keep no copy.
    if (bad > 0) {
      copiedTo = `${this.file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await copyFile(this.file, copiedTo);
    }
    await this.#rewrite(events.slice(-this.#maxEvents));
    return { copiedTo, badLines };
  }

  /** Events from an older store format, written as the log's start (the log must be empty). */
  async importEvents(events: StoredEvent[]): Promise<void> {
    const valid = events.filter(isStoredEvent).sort((a, b) => a.id - b.id).slice(-this.#maxEvents);
    this.#take(valid);
    await this.#rewrite(valid);
  }

  add(event: StoredEvent): void {
    this.#lastId = event.id;
    this.#firstId ??= event.id;
    this.#recent.push(event);
    if (this.#recent.length > this.#memoryEvents) this.#recent.splice(0, this.#recent.length - this.#memoryEvents);
    this.#pending.push(JSON.stringify(event));
  }

  /** Resolves when every event added so far is on disk. */
  flush(): Promise<void> {
    return this.#serial(async () => {
      if (this.#pending.length === 0) return;
      const lines = this.#pending;
      this.#pending = [];
      try {
        const handle = await open(this.file, 'a', 0o644);
        try {
          await handle.write(lines.join('\n') + '\n');
          await handle.datasync();
        } finally {
          await handle.close();
        }
      } catch (err) {
        // Not written: kept for the next flush, in order.
        this.#pending = [...lines, ...this.#pending];
        throw err;
      }
      this.#linesInFile += lines.length;
      // Drop old events once a quarter of the cap has piled up: one rewrite per maxEvents/4 events.
      if (this.#linesInFile > this.#maxEvents + Math.max(10, Math.floor(this.#maxEvents / 4))) {
        await this.#rewrite((await this.#readFile()).slice(-this.#maxEvents));
      }
    });
  }

  /**
   * Tailing (sinceId) pages forward from the oldest unseen event; otherwise the newest ones.
   * From memory when the newest events answer it, else from the file (after a flush).
   */
  async query(options: EventQuery = {}): Promise<StoredEvent[]> {
    const limit = options.limit ?? 100;
    const oldestInMemory = this.#recent[0]?.id;
    const memoryHasAll = oldestInMemory === undefined || oldestInMemory <= (this.oldestId ?? 0);
    if (options.sinceId !== undefined && (memoryHasAll || options.sinceId >= oldestInMemory! - 1)) {
      return select(this.#recent, options, limit);
    }
    if (options.sinceId === undefined) {
      const fromMemory = select(this.#recent, options, limit);
      if (memoryHasAll || fromMemory.length >= limit) return fromMemory;
    }
    await this.flush();
    const oldest = this.oldestId ?? 0;
    const all = await this.#serial(() => this.#readFile());
    return select(all.filter((e) => e.id >= oldest), options, limit);
  }

  #take(events: StoredEvent[]): void {
    this.#linesInFile = events.length;
    this.#lastId = events.at(-1)?.id ?? this.#lastId;
    this.#firstId = events[0]?.id ?? null;
    this.#recent = events.slice(-this.#memoryEvents);
  }

  async #readFile(): Promise<StoredEvent[]> {
    return parseLines((await readIfPresent(this.file)) ?? '').events;
  }

  async #rewrite(events: StoredEvent[]): Promise<void> {
    await writeFileAtomic(this.file, events.map((e) => JSON.stringify(e) + '\n').join(''));
    this.#linesInFile = events.length;
    this.#firstId = events[0]?.id ?? null;
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

function isStoredEvent(e: unknown): e is StoredEvent {
  return typeof e === 'object' && e !== null && Number.isInteger((e as StoredEvent).id) && typeof (e as StoredEvent).type === 'string';
}

/** The events of JSON lines, and how many non-empty lines were not one. */
function parseLines(text: string): { events: StoredEvent[]; bad: number } {
  const events: StoredEvent[] = [];
  let bad = 0;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      e = null;
    }
    if (isStoredEvent(e)) events.push(e);
    else bad++;
  }
  return { events, bad };
}

function select(list: StoredEvent[], options: EventQuery, limit: number): StoredEvent[] {
  let out = list;
  if (options.sinceId !== undefined) out = out.filter((e) => e.id > options.sinceId!);
  if (options.type) out = out.filter((e) => e.type === options.type || e.type.startsWith(`${options.type}.`));
  return options.sinceId !== undefined ? out.slice(0, limit) : out.slice(-limit);
}
