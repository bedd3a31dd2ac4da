/**
 * Live events for apps over Server-Sent Events. Each stored event goes out with its store id,
 * so a client that reconnects with Last-Event-ID gets what it missed from the store, then the
 * live ones, with no gap and no repeat. A slow reader is dropped, not buffered for: what Node
 * holds unsent per connection is capped, and the client resumes from its last id anyway.
 */
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { StoredEvent } from '../store/store.js';

export interface EventSource {
  events(options: { sinceId?: number; limit?: number }): Promise<StoredEvent[]>;
  oldestEventId(): number | null;
  on(event: 'event', listener: (e: StoredEvent) => void): unknown;
  off(event: 'event', listener: (e: StoredEvent) => void): unknown;
}

export interface StreamLimits {
  /** Unsent bytes a connection may hold before the client is dropped. */
  maxBufferBytes: number;
  maxClients: number;
  heartbeatMs: number;
}

export interface StreamStats {
  clients: number;
  sent: number;
  dropped: number;
}

interface Client {
  res: ServerResponse;
  accepts(type: string): boolean;
  /** Live events that arrived while the replay was being written. */
  pending: StoredEvent[] | null;
  lastId: number;
}

const REPLAY_PAGE = 500;
/** Live events held for a client while its replay is written; beyond this it is dropped. */
const MAX_PENDING = 1000;

export function formatEvent(e: StoredEvent): string {
  return `id: ${e.id}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
}

export class EventStreamHub {
  readonly #source: EventSource;
  readonly #limits: StreamLimits;
  readonly #clients = new Set<Client>();
  #heartbeat: NodeJS.Timeout | null = null;
  readonly #stats = { sent: 0, dropped: 0 };
  readonly #onEvent = (e: StoredEvent) => {
    for (const client of this.#clients) {
      if (!client.accepts(e.type)) continue;
      if (!client.pending) this.#write(client, e);
      else if (client.pending.push(e) > MAX_PENDING) this.#drop(client);
    }
  };

  constructor(source: EventSource, limits: StreamLimits) {
    this.#source = source;
    this.#limits = limits;
  }

  full(): boolean {
    return this.#clients.size >= this.#limits.maxClients;
  }

  stats(): StreamStats {
    return { clients: this.#clients.size, ...this.#stats };
  }

  /**
   * Streams to `res` (headers already sent) from after `lastId` (null: live only). `notices`
   * go first, without ids: they describe now (state, maintenance) and are not replayed.
   */
  async open(res: ServerResponse, options: { lastId: number | null; accepts: (type: string) => boolean; notices: Array<{ event: string; data: unknown }> }): Promise<void> {
    const client: Client = { res, accepts: options.accepts, pending: [], lastId: options.lastId ?? 0 };
    if (this.#clients.size === 0) this.#start();
    this.#clients.add(client);
    res.once('close', () => this.#remove(client));
    this.#send(client, 'retry: 2000\n\n');
    for (const n of options.notices) this.#send(client, `event: ${n.event}\ndata: ${JSON.stringify(n.data)}\n\n`);
    if (options.lastId !== null) await this.#replay(client, options.lastId);
    // Live events queued during the replay, minus any the replay already sent.
    const pending = client.pending ?? [];
    client.pending = null;
    for (const e of pending) this.#write(client, e);
  }

  /** Paced by the socket: a long replay waits for 'drain' instead of filling the buffer. */
  async #replay(client: Client, lastId: number): Promise<void> {
    const oldest = this.#source.oldestEventId();
    if (oldest !== null && oldest > lastId + 1) {
      // The store dropped events this client never saw (retention): say so rather than pretend.
      this.#send(client, `event: gap\ndata: ${JSON.stringify({ after: lastId, oldest })}\n\n`);
    }
    for (let since = lastId; this.#clients.has(client);) {
      const page = await this.#source.events({ sinceId: since, limit: REPLAY_PAGE });
      if (!this.#clients.has(client)) return;
      for (const e of page) {
        if (!client.accepts(e.type)) continue;
        this.#write(client, e);
        if (client.res.writableLength > this.#limits.maxBufferBytes / 2) await drained(client.res);
        if (!this.#clients.has(client)) return;
      }
      if (page.length < REPLAY_PAGE) break;
      since = page[page.length - 1]!.id;
    }
  }

  #write(client: Client, e: StoredEvent): void {
    if (e.id <= client.lastId) return;
    client.lastId = e.id;
    if (this.#send(client, formatEvent(e))) this.#stats.sent++;
  }

  /** False when the client was dropped for reading too slowly. */
  #send(client: Client, chunk: string): boolean {
    const { res } = client;
    if (res.destroyed || !this.#clients.has(client)) return false;
    if (res.writableLength > this.#limits.maxBufferBytes) {
      this.#drop(client);
      return false;
    }
    res.write(chunk);
    return true;
  }

  #drop(client: Client): void {
    this.#stats.dropped++;
    this.#remove(client);
    client.res.destroy();
  }

  #start(): void {
    this.#source.on('event', this.#onEvent);
    // A comment line now and then: proxies keep the connection, and a dead peer shows up.
    this.#heartbeat = setInterval(() => { for (const c of this.#clients) this.#send(c, ': ping\n\n'); }, this.#limits.heartbeatMs);
    this.#heartbeat.unref();
  }

  #remove(client: Client): void {
    if (!this.#clients.delete(client)) return;
    if (this.#clients.size > 0) return;
    this.#source.off('event', this.#onEvent);
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = null;
  }

  /** Ends every stream (the API is closing: open streams would hold the server open). */
  closeAll(): void {
    for (const client of [...this.#clients]) {
      this.#remove(client);
      client.res.end();
    }
  }
}

/** Resolves on 'drain' or when the connection closes, whichever comes first. */
async function drained(res: ServerResponse): Promise<void> {
  if (res.destroyed) return;
  const ac = new AbortController();
  await Promise.race([once(res, 'drain', { signal: ac.signal }), once(res, 'close', { signal: ac.signal })]).catch(() => undefined);
  ac.abort();
}
