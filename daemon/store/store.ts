import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { Low } from 'lowdb';
import type { ServiceEvent } from '../events.js';
import type { OutboxData } from '../notify/outbox-types.js';
import { emptyMaintenanceRecord, type MaintenanceRecord } from '../maintenance/maintenance-record.js';
import { QuarantiningJsonFile, type QuarantineReport } from './json-file-adapter.js';

export interface StoredEvent extends ServiceEvent {
  id: number;
  at: string;
}

export interface GatewayRecord {
  /**
   * Gateway restarts, automatic and planned, over every daemon run with this data dir: the
   * supervisor's restartsSinceStart summed across runs (served as restartsAllTime).
   */
  restarts: number;
  lastExit: { code: number | null; signal: string | null; at: string; reason?: string } | null;
  lastState: string | null;
  lastTransitionAt: string | null;
}

export interface StoreData {
  version: 1;
  gateway: GatewayRecord;
  events: StoredEvent[];
  nextEventId: number;
  /** Notifications not yet delivered, and the recent results (daemon/notify). */
  outbox: OutboxData;
  /** Admin maintenance windows and the scheduler's position (daemon/maintenance). */
  maintenance: MaintenanceRecord;
}

export interface StoreOptions {
  dataDir: string;
  maxEvents: number;
  /** Writes are coalesced: many events in a burst cost one file write. */
  flushDelayMs?: number;
}

function empty(): StoreData {
  return {
    version: 1,
    gateway: { restarts: 0, lastExit: null, lastState: null, lastTransitionAt: null },
    events: [],
    nextEventId: 1,
    outbox: { entries: [], hold: null },
    maintenance: emptyMaintenanceRecord(),
  };
}

/**
 * State and events in lowdb (<dataDir>/state.json). Emits 'event' for every stored event so
 * the API can stream them; never reads or writes anything but its own file.
 */
export class Store extends EventEmitter {
  readonly file: string;
  #db: Low<StoreData>;
  #options: StoreOptions;
  #timer: NodeJS.Timeout | null = null;
  #writing: Promise<void> = Promise.resolve();
  #quarantined: QuarantineReport | null = null;

  constructor(options: StoreOptions) {
    super();
    this.#options = options;
    this.file = join(options.dataDir, 'state.json');
    this.#db = new Low(new QuarantiningJsonFile<StoreData>(this.file, (r) => { this.#quarantined = r; }), empty());
  }

  /**
   * How the previous daemon run ended, read at open: a clean stop writes `daemon.stopped` as its
   * last event; anything else (kill -9, a crash, power loss) leaves another event last.
   */
  previousRun: 'none' | 'clean' | 'unclean' = 'none';

  async open(): Promise<void> {
    await this.#db.read();
    const fresh = empty();
    const data = this.#db.data;
    // Older or partial files: fill what is missing rather than fail the daemon's start.
    this.#db.data = { ...fresh, ...data, gateway: { ...fresh.gateway, ...data.gateway }, maintenance: { ...fresh.maintenance, ...data.maintenance } };
    if (!Array.isArray(this.#db.data.events)) this.#db.data.events = [];
    const last = this.#db.data.events.at(-1);
    this.previousRun = last === undefined ? 'none' : last.type === 'daemon.stopped' ? 'clean' : 'unclean';
    this.#db.data.outbox = { ...fresh.outbox, ...data.outbox };
    if (!Array.isArray(this.#db.data.outbox.entries)) this.#db.data.outbox.entries = [];
    if (this.#quarantined) {
      const q = this.#quarantined;
      this.record({ type: 'store.corrupt', level: 'error', message: `state file was corrupt (${q.reason}) and was moved to ${q.movedTo}`, data: { ...q } });
    }
    await this.flush();
  }

  get data(): Readonly<StoreData> {
    return this.#db.data;
  }

  record(event: ServiceEvent): StoredEvent {
    const data = this.#db.data;
    const stored: StoredEvent = { id: data.nextEventId++, at: new Date().toISOString(), ...event };
    data.events.push(stored);
    const excess = data.events.length - this.#options.maxEvents;
    if (excess > 0) data.events.splice(0, excess);
    this.emit('event', stored);
    this.#schedule();
    return stored;
  }

  events(options: { sinceId?: number; limit?: number; type?: string } = {}): StoredEvent[] {
    let list = this.#db.data.events;
    if (options.sinceId !== undefined) list = list.filter((e) => e.id > options.sinceId!);
    if (options.type) list = list.filter((e) => e.type === options.type || e.type.startsWith(`${options.type}.`));
    // Tailing (sinceId) pages forward from the oldest unseen event; otherwise the newest ones.
    const limit = options.limit ?? 100;
    return options.sinceId !== undefined ? list.slice(0, limit) : list.slice(-limit);
  }

  updateGateway(patch: Partial<GatewayRecord>): void {
    Object.assign(this.#db.data.gateway, patch);
    this.#schedule();
  }

  /** The notifier's outbox; change it only through updateOutbox, which schedules the write. */
  outbox(): OutboxData {
    return this.#db.data.outbox;
  }

  updateOutbox(mutate: (outbox: OutboxData) => void): void {
    mutate(this.#db.data.outbox);
    this.#schedule();
  }

  maintenance(): MaintenanceRecord {
    return this.#db.data.maintenance;
  }

  updateMaintenance(change: (record: MaintenanceRecord) => void): void {
    change(this.#db.data.maintenance);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.flush();
    }, this.#options.flushDelayMs ?? 50);
    this.#timer.unref();
  }

  /** Write now; resolves when everything recorded so far is on disk. */
  async flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    this.#writing = this.#writing.then(() => this.#db.write()).catch((err) => {
      // A failed write must not crash the daemon; the next flush retries with the same data.
      this.emit('write-failed', err);
    });
    await this.#writing;
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
