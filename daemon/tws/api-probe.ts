/**
 * One look at IB Gateway's API, classified: the I/O half of the TWS keeper. It keeps the
 * daemon's API connection open between looks (the connectivity and farm notices arrive only on
 * a live connection), opens it when there is none, and otherwise asks reqCurrentTime. What a
 * result means for the session (wait, count a hang, restart) is the keeper's decision.
 */
import type { EndpointStats } from '../session/endpoint-stats.js';
import { TwsApiConnection, type ApiNotice } from './api-connection.js';
import { Connectivity, type ConnectivityChange } from './connectivity.js';

export interface ProbeSettings {
  host: string;
  port: number;
  clientId: number;
  intervalMs: number;
  timeoutMs: number;
  localAddress?: string;
}

export type ProbeResult =
  | { kind: 'answered'; opened: boolean }
  /** No answer: the handshake of a new connection, or reqCurrentTime and then a fresh handshake. */
  | { kind: 'unanswered'; what: string; detail: string }
  /** reqCurrentTime went unanswered but a new connection is answered: reconnect, no hang. */
  | { kind: 'reconnect' }
  /** Nothing listens on the API port. */
  | { kind: 'refused' }
  /** The connection was closed without an answer: the address is not trusted. */
  | { kind: 'denied'; detail: string }
  | { kind: 'client-id-in-use' }
  | { kind: 'error'; detail: string };

export interface ApiProbeOptions {
  settings: ProbeSettings;
  stats: EndpointStats;
  now: () => number;
  onNotice: (notice: ApiNotice, change: ConnectivityChange) => void;
  /** The live connection closed by itself (the gateway went away or restarted in place). */
  onClosed: () => void;
}

export class ApiProbe {
  readonly link = new Connectivity();
  readonly #o: ApiProbeOptions;
  #conn: TwsApiConnection | null = null;
  server: { version: number; time: string; accounts: string[] } | null = null;
  lastAnsweredAt: number | null = null;
  lastMs: number | null = null;

  constructor(options: ApiProbeOptions) {
    this.#o = options;
  }

  get connected(): boolean {
    return this.#conn !== null && !this.#conn.closed;
  }

  async look(): Promise<ProbeResult> {
    return this.#conn ? this.#askTime() : this.#open();
  }

  #connect(startApi: boolean) {
    const s = this.#o.settings;
    return TwsApiConnection.open({ host: s.host, port: s.port, clientId: s.clientId, timeoutMs: s.timeoutMs, localAddress: s.localAddress, startApi, now: this.#o.now });
  }

  async #open(): Promise<ProbeResult> {
    const r = await this.#connect(true);
    this.#o.stats.add('liveness', r.ok ? 'ok' : r.failure === 'no-answer' ? 'timeout' : 'network-error', r.ms);
    if (!r.ok) {
      switch (r.failure) {
        case 'no-answer': return { kind: 'unanswered', what: 'API handshake', detail: r.detail };
        case 'refused': return { kind: 'refused' };
        case 'closed': return { kind: 'denied', detail: r.detail };
        case 'client-id-in-use': return { kind: 'client-id-in-use' };
        default: return { kind: 'error', detail: r.detail };
      }
    }
    const conn = r.conn;
    this.#conn = conn;
    this.server = { version: r.serverVersion, time: r.connectionTime, accounts: r.accounts };
    // A new connection hears the gateway's present farm states (and a 1100) afresh.
    this.link.reset();
    conn.onNotice((n) => {
      if (n.id === -1) this.#o.onNotice(n, this.link.apply(n.code, n.text, n.at));
    });
    conn.once('close', () => {
      if (this.#conn !== conn) return;
      this.#conn = null;
      this.link.reset();
      this.#o.onClosed();
    });
    this.#answered(r.ms);
    return { kind: 'answered', opened: true };
  }

  async #askTime(): Promise<ProbeResult> {
    const conn = this.#conn!;
    const started = this.#o.now();
    const t = await conn.currentTime(this.#o.settings.timeoutMs);
    const ms = this.#o.now() - started;
    this.#o.stats.add('tickle', t === null ? 'timeout' : 'ok', ms);
    if (t !== null) {
      this.#answered(ms);
      return { kind: 'answered', opened: false };
    }
    this.drop();
    // reqCurrentTime is answered by the gateway itself, so silence is suspicious; a fresh
    // handshake tells a hung gateway (silent again) from one that only lost this connection.
    const live = await this.#connect(false);
    this.#o.stats.add('liveness', live.ok ? 'ok' : live.failure === 'no-answer' ? 'timeout' : 'network-error', live.ms);
    if (!live.ok) {
      return live.failure === 'no-answer' ? { kind: 'unanswered', what: 'reqCurrentTime and a fresh handshake', detail: live.detail } : { kind: 'refused' };
    }
    live.conn.close();
    return { kind: 'reconnect' };
  }

  #answered(ms: number): void {
    this.lastAnsweredAt = this.#o.now();
    this.lastMs = Math.round(ms);
  }

  drop(): void {
    const conn = this.#conn;
    this.#conn = null;
    conn?.close();
  }
}
