/**
 * The outbox: every notification is written to the store before its first attempt, and only
 * marked delivered after the receiver said yes. A crash between the two sends it again after
 * the restart, with the same idempotency key: at-least-once, never lost.
 */
import type { OutboxData, OutboxEntry, OutboxStore } from './outbox-types.js';

export class MemoryOutboxStore implements OutboxStore {
  readonly #data: OutboxData = { entries: [], hold: null };
  outbox(): OutboxData { return this.#data; }
  updateOutbox(mutate: (data: OutboxData) => void): void { mutate(this.#data); }
  async flush(): Promise<void> {}
}

const FINISHED = new Set(['delivered', 'failed', 'digested']);

export class Outbox {
  readonly #store: OutboxStore;
  readonly #unsaved = new Set<string>();
  #keep: number;

  constructor(store: OutboxStore, keepFinished: number) {
    this.#store = store;
    this.#keep = keepFinished;
  }

  set keepFinished(n: number) {
    this.#keep = n;
  }

  get entries(): readonly OutboxEntry[] {
    return this.#store.outbox().entries;
  }

  get hold(): OutboxData['hold'] {
    return this.#store.outbox().hold;
  }

  /** Resolves once the entries are on disk; only then may a first attempt go out. */
  async add(entries: OutboxEntry[]): Promise<void> {
    if (entries.length === 0) return;
    this.#store.updateOutbox((d) => { d.entries.push(...entries); });
    await this.persist(entries.map((e) => e.id));
  }

  /**
   * Entries pushed by other means (digests) become sendable once written: a message sent
   * before it is on disk and lost with a crash mid-attempt would break at-least-once.
   */
  async persist(ids: string[]): Promise<void> {
    for (const id of ids) this.#unsaved.add(id);
    try {
      await this.#store.flush();
    } finally {
      for (const id of ids) this.#unsaved.delete(id);
    }
  }

  update(mutate: (data: OutboxData) => void): void {
    this.#store.updateOutbox((d) => {
      mutate(d);
      prune(d.entries, this.#keep);
    });
  }

  patch(id: string, patch: Partial<OutboxEntry>): void {
    this.#store.updateOutbox((d) => {
      const entry = d.entries.find((e) => e.id === id);
      if (entry) Object.assign(entry, patch);
      if (patch.finishedAt) prune(d.entries, this.#keep);
    });
  }

  /** The channel's oldest pending entry that is on disk: deliveries to one receiver go in order. */
  head(channel: string): OutboxEntry | undefined {
    let head: OutboxEntry | undefined;
    for (const e of this.entries) {
      if (e.channel === channel && e.state === 'pending' && (!head || e.createdAt < head.createdAt)) head = e;
    }
    return head && this.#unsaved.has(head.id) ? undefined : head;
  }

  flush(): Promise<void> {
    return this.#store.flush();
  }
}

/** Finished entries beyond `keep` go, oldest first; pending and held ones always stay. */
function prune(entries: OutboxEntry[], keep: number): void {
  const finished = entries.filter((e) => FINISHED.has(e.state));
  if (finished.length <= keep) return;
  const drop = new Set(finished.sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0)).slice(0, finished.length - keep).map((e) => e.id));
  for (let i = entries.length - 1; i >= 0; i--) if (drop.has(entries[i].id)) entries.splice(i, 1);
}
