/**
 * One way to IBKR for apps: `/api/v1/ibkr/*`, the portfolio and the connection check all go
 * through forward(). In order: a canonical path; the session keeper's own calls refused;
 * read-only unless trading is allowed; the gate (gateway down, logged out, maintenance,
 * penalty box → 503 with Retry-After at once); the cache for GET (identical calls in flight
 * share one); IBKR's pacing; then the gateway. Its answer is passed on, except the ones that
 * are about the shared session rather than the app's request (401, 429, 5xx in maintenance).
 */
import { ERR_GATEWAY_REFUSED, ERR_IBKR_READ_ONLY, ERR_IBKR_UNAVAILABLE, ERR_IBKR_UPSTREAM, type IbgwError } from '../errors.js';
import { gateError, type GateVerdict } from './gateway-gate.js';
import { assertNotSessionPath, parseGatewayPath, type GatewayPath } from './gateway-path.js';
import { PatternTable } from './path-pattern.js';
import type { Pacer } from './pacer.js';
import type { CacheSource, ResponseCache } from './response-cache.js';
import type { GatewayUpstream, UpstreamAnswer } from './upstream.js';

export interface PassThroughSettings {
  allowTrading: boolean;
  timeoutMs: number;
  maxResponseBytes: number;
  ttlMs: Record<string, number>;
}

/** Where the pass-through reports for /metrics; every method is cheap and synchronous. */
export interface PassThroughObserver {
  upstream(ms: number, status: number | null): void;
  cache(source: CacheSource | 'bypass'): void;
  refused(code: string): void;
}

export interface ForwardRequest {
  method: string;
  /** Below the route's prefix, still percent-encoded, with its query: `/portfolio/U1/summary?x=1`. */
  target: string | GatewayPath;
  body?: Buffer;
  contentType?: string;
  /** Accept a cached answer only this fresh (the connection check wants a recent proof). */
  maxAgeMs?: number;
  /** The app went away: a non-GET call still waiting for its turn is dropped. */
  signal?: AbortSignal;
}

export interface ForwardAnswer {
  status: number;
  contentType: string | null;
  body: Buffer;
  source: CacheSource | 'bypass';
  queuedMs: number;
  /** Time at the gateway (0 for a cache hit). */
  upstreamMs: number;
}

export interface PassThroughDeps {
  upstream: GatewayUpstream;
  pacer: Pacer;
  cache: ResponseCache;
  gate: () => GateVerdict;
  settings: PassThroughSettings;
  /** IBKR's penalty box length, applied when the gateway answers 429. */
  penaltyMs: () => number;
  /** The gateway answered 401: the keeper should look now rather than at its next tickle. */
  onSessionLost?: () => void;
  /** Why this gateway has no Web API at all (an IB Gateway speaks the TWS API), or null. */
  unsupported?: () => IbgwError | null;
  /** True inside a maintenance window: 5xx then means "IBKR's reset", not a broken request. */
  inMaintenance?: () => boolean;
  observer?: PassThroughObserver;
  now?: () => number;
}

type PacedAnswer = UpstreamAnswer & { queuedMs: number };

export class PassThrough {
  readonly #deps: PassThroughDeps;
  #settings: PassThroughSettings;
  #ttl: PatternTable<number>;
  readonly #now: () => number;

  constructor(deps: PassThroughDeps) {
    this.#deps = deps;
    this.#settings = deps.settings;
    this.#ttl = new PatternTable(deps.settings.ttlMs);
    this.#now = deps.now ?? Date.now;
  }

  reconfigure(settings: PassThroughSettings): void {
    this.#settings = settings;
    this.#ttl = new PatternTable(settings.ttlMs);
  }

  get allowTrading(): boolean {
    return this.#settings.allowTrading;
  }

  async forward(req: ForwardRequest): Promise<ForwardAnswer> {
    try {
      return await this.#forward(req);
    } catch (err) {
      this.#deps.observer?.refused((err as IbgwError).code ?? 'error');
      throw err;
    }
  }

  async #forward(req: ForwardRequest): Promise<ForwardAnswer> {
    const unsupported = this.#deps.unsupported?.();
    if (unsupported) throw unsupported;
    const method = req.method.toUpperCase();
    const target = typeof req.target === 'string' ? parseGatewayPath(req.target) : req.target;
    assertNotSessionPath(target.path);
    if (method !== 'GET' && !this.#settings.allowTrading) throw ERR_IBKR_READ_ONLY(method, target.path);
    const verdict = this.#deps.gate();
    if (!verdict.ok) throw gateError(verdict);
    let answer: PacedAnswer;
    let source: ForwardAnswer['source'];
    if (method === 'GET') {
      const ttl = this.#ttl.lookup(target.path)?.value ?? 0;
      const key = target.query ? `${target.wire}?${target.query}` : target.wire;
      // No caller's signal here: the call may be shared with other apps and fill the cache.
      const got = await this.#deps.cache.fetch(key, ttl, () => this.#call(method, target), req.maxAgeMs);
      answer = got.answer as PacedAnswer;
      source = got.source;
    } else {
      answer = await this.#call(method, target, req.body, req.contentType, req.signal);
      source = 'bypass';
    }
    this.#deps.observer?.cache(source);
    this.#check(answer, `${method} ${target.path}`);
    return {
      status: answer.status, contentType: answer.contentType, body: answer.body, source,
      queuedMs: source === 'miss' || source === 'bypass' ? answer.queuedMs : 0,
      upstreamMs: source === 'hit' ? 0 : answer.ms,
    };
  }

  async #call(method: string, target: GatewayPath, body?: Buffer, contentType?: string, signal?: AbortSignal): Promise<PacedAnswer> {
    const send = await this.#deps.upstream.prepare({
      method, path: target.wire, query: target.query, body, contentType,
      timeoutMs: this.#settings.timeoutMs, maxBytes: this.#settings.maxResponseBytes,
    });
    const permit = await this.#deps.pacer.acquire(target.path, { signal });
    try {
      const answer = await send(signal);
      this.#deps.observer?.upstream(answer.ms, answer.status);
      if (answer.status === 429) this.#deps.pacer.penalize(this.#now() + this.#deps.penaltyMs());
      return { ...answer, queuedMs: permit.waitedMs };
    } catch (err) {
      this.#deps.observer?.upstream(0, null);
      throw err;
    } finally {
      permit.release();
    }
  }

  /** Answers about the shared gateway or session become the daemon's errors; the rest is the app's answer. */
  #check(answer: PacedAnswer, what: string): void {
    const { status } = answer;
    if (status === 429) {
      const penalty = this.#deps.pacer.penaltyUntil();
      if (penalty !== null) {
        const verdict = this.#deps.gate();
        if (!verdict.ok) throw gateError(verdict);
      }
      throw unavailable('penalty-box', `the gateway answered ${what} with 429`, 60);
    }
    if (status === 401) {
      this.#deps.onSessionLost?.();
      throw unavailable('session-unauthenticated', `the gateway answered ${what} with 401: the IBKR session is not authenticated`, 5);
    }
    if (status === 404 && answer.body.length === 13 && answer.body.toString() === 'Access Denied') throw ERR_GATEWAY_REFUSED(what);
    if (status >= 500) {
      if (this.#deps.inMaintenance?.()) {
        const verdict = this.#deps.gate();
        if (!verdict.ok) throw gateError(verdict);
        throw unavailable('maintenance', `the gateway answered ${what} with ${status} during IBKR maintenance`, 60);
      }
      const err = ERR_IBKR_UPSTREAM(what, status);
      err.details = { upstreamStatus: status, upstreamBody: answer.body.subarray(0, 1000).toString('utf8') };
      throw err;
    }
  }
}

function unavailable(reason: string, message: string, retryAfter: number): IbgwError {
  const err = ERR_IBKR_UNAVAILABLE(message);
  err.details = { reason, retryAfter };
  return err;
}
