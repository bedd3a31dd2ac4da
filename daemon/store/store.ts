import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { Low } from 'lowdb';
import type { ServiceEvent } from '../events.js';
import type { OutboxData } from '../notify/outbox-types.js';
import { emptyMaintenanceRecord, type MaintenanceRecord } from '../maintenance/maintenance-record.js';
import { QuarantiningJsonFile, type QuarantineReport } from './json-file-adapter.js';
import { EventLog, type EventLogDamage, type EventQuery, type StoredEvent } from './event-log.js';

export type { StoredEvent } from './event-log.js';

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
  /** The next event's id; the events themselves are in events.jsonl (event-log.ts). */
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
    nextEventId: 1,
    outbox: { entries: [], hold: null },
    maintenance: emptyMaintenanceRecord(),
  };
}

/**
 * State in lowdb (<dataDir>/state.json), events in an append-only log (<dataDir>/events.jsonl).
 * Emits 'event' for every stored event so the API can stream them; never reads or writes
 * anything but its own two files.
 */
export class Store extends EventEmitter {
  readonly file: string;
  readonly log: EventLog;
  #db: Low<StoreData>;
  #stateDirty = false;
  #options: StoreOptions;
  #timer: NodeJS.Timeout | null = null;
  #writing: Promise<void> = Promise.resolve();
  #quarantined: QuarantineReport | null = null;

  constructor(options: StoreOptions) {
    super();
    this.#options = options;
    this.file = join(options.dataDir, 'state.json');
    this.#db = new Low(new QuarantiningJsonFile<StoreData>(this.file, (r) => { this.#quarantined = r; }), empty());
    this.log = new EventLog({ file: join(options.dataDir, 'events.jsonl'), maxEvents: options.maxEvents });
  }

  /**
   * How the previous daemon run ended, read at open: a clean stop writes `daemon.stopped` as its
   * last event; anything else (kill -9, a crash, power loss) leaves another event last.
   */
  previousRun: 'none' | 'clean' | 'unclean' = 'none';

  async open(): Promise<void> {
    await this.#db.read();
    const damage = await this.log.open();
    const fresh = empty();
    const { events: legacy, ...data } = this.#db.data as StoreData & { events?: unknown };
    // Older or partial files: fill what is missing rather than fail the daemon's start.
    this.#db.data = { ...fresh, ...data, gateway: { ...fresh.gateway, ...data.gateway }, maintenance: { ...fresh.maintenance, ...data.maintenance } };
    // A store from before the event log kept its events in state.json: they become the log's start.
    if (Array.isArray(legacy) && legacy.length > 0 && this.log.lastId === 0) await this.log.importEvents(legacy as StoredEvent[]);
    // The log is written before state.json, so after a crash between the two it knows better.
    if (this.log.lastId > 0) this.#db.data.nextEventId = this.log.lastId + 1;
    const last = this.log.last();
    this.previousRun = last === undefined ? 'none' : last.type === 'daemon.stopped' ? 'clean' : 'unclean';
    this.#db.data.outbox = { ...fresh.outbox, ...data.outbox };
    if (!Array.isArray(this.#db.data.outbox.entries)) this.#db.data.outbox.entries = [];
    if (this.#quarantined) {
      const q = this.#quarantined;
      this.record({ type: 'store.corrupt', level: 'error', message: `state file was corrupt (${q.reason}) and was moved to ${q.movedTo}`, data: { ...q } });
    }
    if (damage) this.#recordLogDamage(damage);
    this.#stateDirty = true;
    await this.flush();
  }

  get data(): Readonly<StoreData> {
    return this.#db.data;
  }

  #recordLogDamage(d: EventLogDamage): void {
    if (d.copiedTo === null) {
      this.record({ type: 'store.repaired', level: 'warn', message: `the event log's last line was cut short (a crash while writing it): dropped`, data: { file: this.log.file } });
    } else {
      this.record({ type: 'store.corrupt', level: 'error', message: `the event log had ${d.badLines} unreadable line(s): they were dropped, the file as it was is at ${d.copiedTo}`, data: { file: this.log.file, movedTo: d.copiedTo, badLines: d.badLines } });
    }
  }

  record(event: ServiceEvent): StoredEvent {
    const data = this.#db.data;
    const stored: StoredEvent = { id: data.nextEventId++, at: new Date().toISOString(), ...event };
    this.log.add(stored);
    this.emit('event', stored);
    this.#schedule();
    return stored;
  }

  /** Tailing (sinceId) pages forward from the oldest unseen event; otherwise the newest ones. */
  events(options: EventQuery = {}): Promise<StoredEvent[]> {
    return this.log.query(options);
  }

  /** The oldest event kept (older ones were dropped by store.maxEvents), or null. */
  oldestEventId(): number | null {
    return this.log.oldestId;
  }

  updateGateway(patch: Partial<GatewayRecord>): void {
    Object.assign(this.#db.data.gateway, patch);
    this.#stateDirty = true;
    this.#schedule();
  }

  /** The notifier's outbox; change it only through updateOutbox, which schedules the write. */
  outbox(): OutboxData {
    return this.#db.data.outbox;
  }

  updateOutbox(mutate: (outbox: OutboxData) => void): void {
    mutate(this.#db.data.outbox);
    this.#stateDirty = true;
    this.#schedule();
  }

  maintenance(): MaintenanceRecord {
    return this.#db.data.maintenance;
  }

  updateMaintenance(change: (record: MaintenanceRecord) => void): void {
    change(this.#db.data.maintenance);
    this.#stateDirty = true;
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
    // The log first: state.json's nextEventId must never run ahead of the events on disk.
    this.#writing = this.#writing.then(async () => {
      await this.log.flush();
      if (!this.#stateDirty) return;
      this.#stateDirty = false;
      try {
        await this.#db.write();
      } catch (err) {
        this.#stateDirty = true;
        throw err;
      }
    }).catch((err) => {
      // A failed write must not crash the daemon; the next flush retries with the same data.
      this.emit('write-failed', err);
    });
    await this.#writing;
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
