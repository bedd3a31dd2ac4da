/**
 * The keeper's only way to talk to the gateway: HTTPS with the certificate verified against
 * the CA the daemon made (never rejectUnauthorized:false — a keeper that accepts any
 * certificate would hand the session to whoever answers on the port), a timeout on every
 * call, and one classification of every answer so the ladder decides on outcomes, not on
 * status codes scattered through the code.
 */
import type { IncomingMessage } from 'node:http';
import { Agent, request } from 'node:https';
import { performance } from 'node:perf_hooks';
import {
  ERR_GATEWAY_HTTP, ERR_GATEWAY_NETWORK, ERR_GATEWAY_RATE_LIMITED, ERR_GATEWAY_REFUSED, ERR_GATEWAY_SILENT, ERR_GATEWAY_TIMEOUT, type IbgwError,
} from '../errors.js';
import type { CallPacer } from '../ibkr/pacer.js';
import type { CallOutcome } from './call-outcome.js';
import { EndpointStats, type EndpointClass, type EndpointClassStats } from './endpoint-stats.js';
import { gatewayTlsOptions } from '../tls/client-context.js';
import { FreshConnectionAgent, watchHandshake } from './handshake-watch.js';

export interface GatewayAnswer {
  outcome: CallOutcome;
  status: number | null;
  /** Parsed JSON, or null when the body was not JSON. */
  body: unknown;
  text: string;
  ms: number;
  /** Set exactly when isFault(outcome) (call-outcome.ts). */
  error: IbgwError | null;
}

export interface CallOptions {
  klass: EndpointClass;
  method?: 'GET' | 'POST';
  timeoutMs?: number;
  /** Path relative to the gateway root instead of the /v1/api base (the login page, '/'). */
  raw?: boolean;
  /**
   * A probe: sent on a new connection, and answered 'silent' when the gateway sends not one byte
   * of its TLS handshake within this many ms (its process is stopped or frozen; handshake-watch.ts).
   */
  handshakeTimeoutMs?: number;
}

export interface GatewayClientOptions {
  baseUrl: () => string;
  ca: () => Promise<string | null>;
  timeoutMs: number;
  /** Bodies beyond this are cut (the keeper only reads small status answers). */
  maxBodyBytes?: number;
  /** IBKR's pacing, shared with the apps' pass-through (daemon/ibkr/pacer.ts); absent: unpaced. */
  pacer?: CallPacer;
  /** The penalty box a 429 opens in the shared pacer. Default 900000. */
  penaltyMs?: number;
}

const API_BASE = '/v1/api';

export class GatewayClient {
  readonly #options: GatewayClientOptions;
  readonly #stats = new EndpointStats();
  #agent: Agent | null = null;
  #fresh: FreshConnectionAgent | null = null;
  #agentKey = '';
  #inflight = 0;
  #closed = false;

  constructor(options: GatewayClientOptions) {
    this.#options = options;
  }

  /** Forget the connection pool and the CA: after a gateway restart the keystore may be new. */
  async reset(): Promise<void> {
    const agents = [this.#agent, this.#fresh];
    this.#agent = null;
    this.#fresh = null;
    this.#agentKey = '';
    for (const agent of agents) agent?.destroy();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.reset();
  }

  inflight(): number {
    return this.#inflight;
  }

  stats(): Record<EndpointClass, EndpointClassStats> {
    return this.#stats.snapshot();
  }

  async #dispatcher(fresh: boolean): Promise<Agent> {
    const ca = await this.#options.ca();
    const key = ca ?? '';
    if (!this.#agent || !this.#fresh || key !== this.#agentKey) {
      const old = [this.#agent, this.#fresh];
      const tls = gatewayTlsOptions(ca ?? null);
      // node:https rather than undici: the keeper makes one call at a time, and undici's
      // ~9 MB of resident code is a large share of a supervisor's footprint.
      // Few sockets: the keeper's calls are serial; a hung call must not tie up many more.
      this.#agent = new Agent({ ...tls, keepAlive: true, maxSockets: 4 });
      this.#fresh = new FreshConnectionAgent({ ...tls, maxSockets: 4 });
      this.#agentKey = key;
      for (const agent of old) agent?.destroy();
    }
    return fresh ? this.#fresh! : this.#agent;
  }

  async call(path: string, options: CallOptions): Promise<GatewayAnswer> {
    // The agent (and the CA it reads) first, then the slot in the budget the apps share (ahead
    // of every app call, inside the reserved share), then the request at once: IBKR counts
    // arrivals, so nothing slow may sit between the slot and the wire. The timeout starts once
    // the slot is granted, so waiting for it never looks like a hang. A closed pacer (daemon
    // stopping) does not hold the call.
    const fresh = Boolean(options.handshakeTimeoutMs);
    const dispatcher = this.#closed ? null : await this.#dispatcher(fresh).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
    const permit = await this.#options.pacer?.acquire(options.raw ? '/' : path, { essential: true }).catch(() => null);
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs;
    const method = options.method ?? 'POST';
    const what = `${method} ${path}`;
    const started = performance.now();
    const abort = new AbortController();
    // The real gateway with IBKR unreachable never answers, not after 150 s: abort ourselves,
    // which also closes the socket so hung calls do not pile up on the gateway.
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    const watch = fresh ? { ms: options.handshakeTimeoutMs!, silent: false } : null;
    this.#inflight++;
    let answer: GatewayAnswer;
    try {
      if (this.#closed || dispatcher === null) throw new Error('client closed');
      if (dispatcher instanceof Error) throw dispatcher;
      const url = this.#options.baseUrl().replace(/\/+$/, '') + (options.raw ? '' : API_BASE) + path;
      const onSilent = (): void => { watch!.silent = true; abort.abort(); };
      const res = await send(url, { method, agent: dispatcher, signal: abort.signal, watch: watch && { ms: watch.ms, onSilent } });
      const text = await readCapped(res, this.#options.maxBodyBytes ?? 256 * 1024);
      answer = classify(what, res.statusCode ?? 0, text, performance.now() - started);
    } catch (err) {
      const ms = performance.now() - started;
      if (watch?.silent) {
        answer = { outcome: 'silent', status: null, body: null, text: '', ms, error: ERR_GATEWAY_SILENT(what, watch.ms) };
      } else if (abort.signal.aborted || isTimeoutError(err)) {
        answer = { outcome: 'timeout', status: null, body: null, text: '', ms, error: ERR_GATEWAY_TIMEOUT(what, timeoutMs) };
      } else {
        const e = ERR_GATEWAY_NETWORK(what, describe(err));
        e.cause = err;
        answer = { outcome: 'network-error', status: null, body: null, text: '', ms, error: e };
        // A certificate error may mean the keystore was regenerated: re-read the CA next time.
        if (/cert|self.signed|verify/i.test(describe(err))) void this.reset();
      }
    } finally {
      clearTimeout(timer);
      this.#inflight--;
      permit?.release();
    }
    if (answer.outcome === 'rate-limited') this.#options.pacer?.penalize(Date.now() + (this.#options.penaltyMs ?? 900_000));
    this.#stats.add(options.klass, answer.outcome, answer.ms);
    return answer;
  }
}

interface SendOptions {
  method: 'GET' | 'POST';
  agent: Agent;
  signal: AbortSignal;
  watch: { ms: number; onSilent: () => void } | null;
}

/** One request; the abort signal (the call's timeout) ends it at any stage, headers or body. */
function send(url: string, options: SendOptions): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    let disarm = (): void => {};
    const req = request(url, {
      method: options.method,
      agent: options.agent,
      signal: options.signal,
      headers: options.method === 'POST' ? { 'content-type': 'application/json', 'content-length': '2' } : {},
    }, (res) => { disarm(); resolve(res); });
    const watch = options.watch;
    if (watch) req.once('socket', (socket) => { disarm = watchHandshake(socket, watch.ms, watch.onSilent); });
    req.once('close', () => disarm());
    req.once('error', reject);
    req.end(options.method === 'POST' ? '{}' : undefined);
  });
}

function classify(what: string, status: number, text: string, ms: number): GatewayAnswer {
  let body: unknown = null;
  try { body = text ? JSON.parse(text) : null; } catch { /* not JSON: login pages, 'Access Denied' */ }
  const base = { status, body, text, ms };
  if (status >= 200 && status < 400) return { ...base, outcome: 'ok', error: null };
  if (status === 401) return { ...base, outcome: 'unauthorized', error: null };
  if (status === 429) return { ...base, outcome: 'rate-limited', error: ERR_GATEWAY_RATE_LIMITED(what) };
  // The allow-list refusal is a 404 too, told apart only by its 13-byte body.
  if (status === 404 && text.trim() === 'Access Denied') return { ...base, outcome: 'access-denied', error: ERR_GATEWAY_REFUSED(what) };
  if (status === 404) return { ...base, outcome: 'not-found', error: null };
  if (status >= 500) return { ...base, outcome: 'server-error', error: ERR_GATEWAY_HTTP(what, status) };
  return { ...base, outcome: 'client-error', error: ERR_GATEWAY_HTTP(what, status) };
}

async function readCapped(body: AsyncIterable<Buffer> & { destroy?: () => void }, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    size += chunk.length;
    if (size >= max) { body.destroy?.(); break; }
  }
  return Buffer.concat(chunks).subarray(0, max).toString('utf8');
}

function isTimeoutError(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === 'ABORT_ERR' || (err as Error)?.name === 'AbortError';
}

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.cause?.code ?? e?.code;
  const message = e?.cause?.message ?? e?.message ?? String(err);
  return code ? `${code}: ${message}` : message;
}
