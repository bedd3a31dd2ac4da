/**
 * The daemon's own connection to IB Gateway's API port: the version handshake, START_API with
 * a client id no application uses, nextValidId — then reqCurrentTime on demand, and every
 * connectivity and farm notice the gateway broadcasts (they arrive only on a live connection,
 * which is why the probe keeps one open instead of dialling for each look).
 *
 * Every wait is bounded: a hung gateway accepts the TCP connection and then says nothing, and
 * an address outside TrustedIPs sees its connection closed without a word.
 */
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import {
  handshakeBytes, IN_CURRENT_TIME, IN_MANAGED_ACCTS, IN_NEXT_VALID_ID, MessageReader, messageBytes, OUT_REQ_CURRENT_TIME, OUT_START_API,
  parseErrorMessage,
} from './wire.js';

export interface ApiNotice {
  /** -1 for notices not tied to a request (connectivity, farms). */
  id: number;
  code: number;
  text: string;
  at: number;
}

export type OpenFailure =
  /** Nothing listens (the gateway is down or still logging in). */
  | 'refused'
  /** Connected, and no answer in time: a hung gateway, or an accept dialog left to a human. */
  | 'no-answer'
  /** Closed before the handshake completed: the address is not trusted (IBC rejected it). */
  | 'closed'
  /** Error 326: another connection uses this client id. */
  | 'client-id-in-use'
  | 'protocol';

export interface OpenOptions {
  host: string;
  port: number;
  clientId: number;
  timeoutMs: number;
  localAddress?: string;
  /** false: stop after the server version (a liveness check that takes no client id). */
  startApi?: boolean;
  now?: () => number;
}

export interface Opened {
  ok: true;
  conn: TwsApiConnection;
  serverVersion: number;
  connectionTime: string;
  accounts: string[];
  ms: number;
}

export type OpenResult = Opened | { ok: false; failure: OpenFailure; detail: string; ms: number };

export class TwsApiConnection extends EventEmitter<{ notice: [ApiNotice]; close: [] }> {
  readonly #socket: Socket;
  readonly #now: () => number;
  #timeWaiters: Array<(t: number) => void> = [];
  #closed = false;
  /** Notices that came before anyone listened (the farm notices follow nextValidId at once). */
  #unheard: ApiNotice[] = [];

  private constructor(socket: Socket, now: () => number) {
    super();
    this.#socket = socket;
    this.#now = now;
  }

  get closed(): boolean {
    return this.#closed;
  }

  static open(options: OpenOptions): Promise<OpenResult> {
    const now = options.now ?? Date.now;
    const started = now();
    const socket = connect({ host: options.host, port: options.port, localAddress: options.localAddress });
    const conn = new TwsApiConnection(socket, now);
    const reader = new MessageReader();
    let stage: 'version' | 'start' | 'open' = 'version';
    const got = { serverVersion: 0, connectionTime: '', accounts: [] as string[] };

    return new Promise<OpenResult>((resolve) => {
      let settled = false;
      const fail = (failure: OpenFailure, detail: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        conn.close();
        resolve({ ok: false, failure, detail, ms: now() - started });
      };
      const succeed = () => {
        settled = true;
        clearTimeout(timer);
        resolve({ ok: true, conn, ...got, ms: now() - started });
      };
      const timer = setTimeout(() => fail('no-answer', `no ${stage === 'version' ? 'server version' : 'nextValidId'} within ${options.timeoutMs} ms`), options.timeoutMs);
      socket.once('connect', () => socket.write(handshakeBytes()));
      socket.on('error', (err: NodeJS.ErrnoException) => fail(err.code === 'ECONNREFUSED' ? 'refused' : 'closed', err.message));
      socket.on('close', () => {
        conn.#markClosed();
        fail('closed', stage === 'version' ? 'closed before the server version (an address outside TrustedIPs?)' : 'closed during START_API');
      });
      socket.on('data', (chunk: Buffer) => {
        let messages: string[][];
        try {
          messages = reader.push(chunk);
        } catch (err) {
          return fail('protocol', (err as Error).message);
        }
        for (const fields of messages) {
          if (stage === 'version') {
            got.serverVersion = Number(fields[0]);
            got.connectionTime = fields[1] ?? '';
            if (!Number.isInteger(got.serverVersion) || got.serverVersion < 100) return fail('protocol', `server version ${fields[0]}`);
            if (options.startApi === false) return succeed();
            stage = 'start';
            socket.write(messageBytes([OUT_START_API, 2, options.clientId, '']));
            continue;
          }
          const notice = conn.#dispatch(fields);
          if (stage !== 'start') continue;
          if (notice?.code === 326) return fail('client-id-in-use', notice.text);
          if (Number(fields[0]) === IN_MANAGED_ACCTS) got.accounts = (fields[2] ?? '').split(',').filter(Boolean);
          if (Number(fields[0]) === IN_NEXT_VALID_ID) {
            stage = 'open';
            succeed();
          }
        }
      });
    });
  }

  /** Routes one message after the handshake; returns the notice when it was one. */
  #dispatch(fields: string[]): ApiNotice | null {
    const id = Number(fields[0]);
    if (id === IN_CURRENT_TIME) {
      const time = Number(fields[2]);
      const waiters = this.#timeWaiters;
      this.#timeWaiters = [];
      for (const w of waiters) w(time);
      return null;
    }
    const error = parseErrorMessage(fields);
    if (!error) return null;
    const notice = { ...error, at: this.#now() };
    if (this.listenerCount('notice') === 0) this.#unheard.push(notice);
    else this.emit('notice', notice);
    return notice;
  }

  /** Subscribes to notices, the ones that arrived before included. */
  onNotice(listener: (n: ApiNotice) => void): void {
    this.on('notice', listener);
    const unheard = this.#unheard;
    this.#unheard = [];
    for (const n of unheard) listener(n);
  }

  /** reqCurrentTime: the gateway's clock in epoch seconds, or null when not answered in time. */
  currentTime(timeoutMs: number): Promise<number | null> {
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      const waiter = (t: number) => {
        clearTimeout(timer);
        resolve(t);
      };
      const timer = setTimeout(() => {
        this.#timeWaiters = this.#timeWaiters.filter((w) => w !== waiter);
        resolve(null);
      }, timeoutMs);
      this.#timeWaiters.push(waiter);
      this.#socket.write(messageBytes([OUT_REQ_CURRENT_TIME, 1]));
    });
  }

  #markClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.emit('close');
  }

  close(): void {
    this.#socket.destroy();
    this.#markClosed();
  }
}
