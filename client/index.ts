/**
 * A typed client for local apps: `import { IbgwClient } from 'ibgw-supervisor/client'`.
 * It talks to the daemon, never to the gateway: the daemon paces every app's calls within
 * IBKR's limits, caches what it can, and says when IBKR will be back. No dependencies
 * (Node 18+: fetch).
 *
 *   const ibgw = new IbgwClient({ token: process.env.IBGW_TOKEN });
 *   await ibgw.waitUntilReady();
 *   const { positions } = await ibgw.getPortfolio();
 */
import { AuthenticationFailedError, ConnectionRefusedError, errorFromAnswer, IbgwClientError, UnavailableError, type ErrorBody } from './errors.js';
import { readSse } from './sse.js';

export * from './errors.js';

export interface IbgwClientOptions {
  /** The daemon's API. Default: IBGW_URL, else http://127.0.0.1:5050. */
  baseUrl?: string;
  /** An app token (ibgw tokens create) or the admin token. Default: IBGW_TOKEN. */
  token?: string;
  /** Per request. Default 30000 (the daemon may queue a call for IBKR's pacing). */
  timeoutMs?: number;
}

export interface Status {
  daemon: { pid: number; version: string; uptime: number };
  gateway: { state: string; pid: number | null; since: string | null; restarts: number; [key: string]: unknown };
  session: { state: string; authenticated: boolean; maintenanceWindow?: { start: number; end: number; reason: string } | null; [key: string]: unknown } | null;
}

export interface ConnectionResult {
  success: boolean;
  /** "Connection refused: …", "Authentication failed: …", "Rate limited: …", "Timeout: …", "No answer from IBKR: …" */
  error?: string;
  code?: string;
  retryAfter?: number;
  gateway: string;
  session: string | null;
  checkedAt: string;
}

export interface Portfolio {
  accountId: string;
  accounts: Array<Record<string, unknown>>;
  positions: Array<{ conid?: number; contractDesc?: string; position?: number; mktPrice?: number; mktValue?: number; currency?: string; [key: string]: unknown }>;
  summary: Record<string, { amount?: number; currency?: string | null; value?: string | null; [key: string]: unknown }>;
  pages: number;
  fetchedAt: string;
}

export interface DaemonEvent {
  /** The stored event's id (what Last-Event-ID resumes from); null for the stream's own notices. */
  id: number | null;
  /** 'gateway.transition', 'session.state', 'session.maintenance', … or 'snapshot' / 'gap'. */
  type: string;
  data: Record<string, unknown>;
}

export interface EventsOptions {
  /** Resume after this event id (events missed while away are replayed from the daemon's store). */
  lastEventId?: number;
  /** Only event types starting with these prefixes, e.g. ['gateway.', 'session.']. */
  types?: string[];
  signal?: AbortSignal;
  /** Reconnect after a dropped stream (default true), resuming from the last event seen. */
  reconnect?: boolean;
}

/** JSON when it is JSON; a plain-text answer becomes the message. */
function parseBody(text: string): unknown {
  if (!text) return null;
  try { return JSON.parse(text); } catch { return { message: text }; }
}

const env = (name: string): string | undefined => (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env[name];
const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
  const timer = setTimeout(resolve, ms);
  signal?.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
});

export class IbgwClient {
  readonly baseUrl: string;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;

  constructor(options: IbgwClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? env('IBGW_URL') ?? 'http://127.0.0.1:5050').replace(/\/+$/, '');
    this.#token = options.token ?? env('IBGW_TOKEN');
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  #headers(extra: Record<string, string> = {}): Record<string, string> {
    return { accept: 'application/json', ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}), ...extra };
  }

  async #fetch(path: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetch(this.baseUrl + path, { ...init, headers: this.#headers(init.headers as Record<string, string>), signal: init.signal ?? AbortSignal.timeout(this.#timeoutMs) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      if ((err as Error).name === 'TimeoutError') throw new UnavailableError(`Timeout: no answer from the daemon at ${this.baseUrl} within ${this.#timeoutMs} ms`, 'TIMEOUT', null);
      throw new ConnectionRefusedError(`Connection refused: no daemon at ${this.baseUrl} (${cause?.code ?? cause?.message ?? (err as Error).message})`, 'CONNECTION_REFUSED', null);
    }
  }

  /** A GET of the daemon's API, parsed; a refusal becomes the matching error class. */
  async request<T>(path: string): Promise<T> {
    const res = await this.#fetch(path);
    const body = parseBody(await res.text());
    if (!res.ok) throw errorFromAnswer(res.status, (body ?? {}) as ErrorBody, res.headers.get('retry-after'));
    return body as T;
  }

  /** Daemon, gateway and session state. */
  status(): Promise<Status> {
    return this.request<Status>('/api/v1/status');
  }

  /** The guide's testConnection: `{success, error?}`; never throws for IBKR's state, only when the daemon cannot be asked. */
  testConnection(): Promise<ConnectionResult> {
    return this.request<ConnectionResult>('/api/v1/connection');
  }

  /** Accounts, every positions page and the summary of one account (default: the first). */
  getPortfolio(accountId?: string): Promise<Portfolio> {
    return this.request<Portfolio>(`/api/v1/portfolio${accountId ? `?accountId=${encodeURIComponent(accountId)}` : ''}`);
  }

  /** Any read-only IBKR call through the daemon's pass-through: `ibkr('/iserver/accounts')`. */
  ibkr<T = unknown>(path: string): Promise<T> {
    return this.request<T>(`/api/v1/ibkr${path.startsWith('/') ? path : `/${path}`}`);
  }

  /**
   * Resolves once a brokerage call succeeds; between tries waits what the daemon says
   * (Retry-After, capped by intervalMs). Rejects at the deadline with the last reason.
   */
  async waitUntilReady(options: { timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {}): Promise<ConnectionResult> {
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    const interval = options.intervalMs ?? 2000;
    let last: ConnectionResult | IbgwClientError | null = null;
    while (!options.signal?.aborted) {
      try {
        const result = await this.testConnection();
        if (result.success) return result;
        last = result;
      } catch (err) {
        if (!(err instanceof IbgwClientError) || !(err instanceof ConnectionRefusedError || err instanceof UnavailableError)) throw err;
        last = err;
      }
      const hinted = (last as { retryAfter?: number | null }).retryAfter;
      const wait = Math.max(100, Math.min(interval, hinted ? hinted * 1000 : interval));
      if (Date.now() + wait > deadline) break;
      await sleep(wait, options.signal);
    }
    if (last instanceof IbgwClientError) throw last;
    const message = last?.error ?? 'aborted';
    const ErrorClass = message.startsWith('Connection refused') ? ConnectionRefusedError
      : message.startsWith('Authentication failed') ? AuthenticationFailedError : UnavailableError;
    throw new ErrorClass(message, last?.code ?? 'NOT_READY', null, {}, last?.retryAfter ?? null);
  }

  /**
   * Live events (gateway and session state changes, maintenance notices) as an async
   * iterator. A dropped stream is reopened with Last-Event-ID, so nothing stored is missed.
   */
  async *events(options: EventsOptions = {}): AsyncGenerator<DaemonEvent> {
    let lastId = options.lastEventId ?? null;
    let retryMs = 1000;
    const query = options.types?.length ? `?types=${encodeURIComponent(options.types.join(','))}` : '';
    while (!options.signal?.aborted) {
      let res: Response;
      try {
        res = await fetch(`${this.baseUrl}/api/v1/events/stream${query}`, {
          headers: this.#headers({ accept: 'text/event-stream', ...(lastId !== null ? { 'last-event-id': String(lastId) } : {}) }),
          signal: options.signal,
        });
      } catch (err) {
        if (options.signal?.aborted) return;
        if (options.reconnect === false) throw new ConnectionRefusedError(`Connection refused: no daemon at ${this.baseUrl}`, 'CONNECTION_REFUSED', null, { cause: String(err) });
        await sleep(retryMs, options.signal);
        continue;
      }
      if (!res.ok || !res.body) {
        throw errorFromAnswer(res.status, (parseBody(await res.text()) ?? {}) as ErrorBody, res.headers.get('retry-after'));
      }
      try {
        for await (const m of readSse(res.body)) {
          if (m.retry !== null) retryMs = m.retry;
          if (!m.data) continue;
          const id = m.id !== null && /^\d+$/.test(m.id) ? Number(m.id) : null;
          if (id !== null) lastId = id;
          yield { id, type: m.event, data: JSON.parse(m.data) as Record<string, unknown> };
        }
      } catch (err) {
        if (options.signal?.aborted) return;
        if (options.reconnect === false) throw err;
      }
      if (options.reconnect === false) return;
      await sleep(retryMs, options.signal);
    }
  }
}
