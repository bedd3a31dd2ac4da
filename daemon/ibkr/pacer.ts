/**
 * IBKR's pacing for everything the daemon sends through the gateway: all apps' pass-through
 * calls, the portfolio route, and the session keeper's own calls. IBKR counts per client
 * address and punishes any excess with a 10-15 minute penalty box for every request, so the
 * budget is one, shared, and kept on this side of the wire:
 *
 * - a global window (globalPerSec, of which `reservedForSession` only essential calls may use:
 *   the keeper's tickle never waits behind apps) and per-endpoint windows or concurrency caps;
 * - a request that has no room waits in one queue (essential calls first, then in order of
 *   arrival; a request held by its endpoint's window does not hold up the others);
 * - a request that would wait longer than maxWaitMs is refused at once with 429 and the wait
 *   it would have had as Retry-After; one still waiting at its deadline likewise;
 * - after an upstream 429 (`penalize`), everything but essential calls is refused with 503
 *   until the box ends: every call made inside it would only prolong it.
 */
import { ERR_IBKR_BUSY, ERR_IBKR_CLOSED, ERR_IBKR_PENALTY, type IbgwError } from '../errors.js';
import { PaceWindow } from './pace-window.js';
import { PatternTable } from './path-pattern.js';

export type PaceLimitConfig = { count: number; perMs: number } | { concurrent: number };

export interface PacerSettings {
  globalPerSec: number;
  reservedForSession: number;
  guardMs: number;
  perEndpoint: Record<string, PaceLimitConfig>;
  maxWaitMs: number;
  maxQueue: number;
}

export interface AcquireOptions {
  /** The session keeper's calls: may use the reserved share, go first, and pass during a penalty. */
  essential?: boolean;
  /** Aborting (the app went away) takes the request out of the queue. */
  signal?: AbortSignal;
}

export interface Permit {
  /** When the pacer let it go (its clock): what IBKR's window counts. */
  sentAt: number;
  /** Time spent in the queue. */
  waitedMs: number;
  /** Ends a concurrency-capped call; idempotent. Window-limited calls count at send time only. */
  release(): void;
}

/** What callers outside the daemon's ibkr/ folder need: the session keeper's client takes this. */
export interface CallPacer {
  acquire(path: string, options?: AcquireOptions): Promise<Permit>;
  penalize(until: number): void;
}

interface EndpointBudget {
  key: string;
  window: PaceWindow | null;
  concurrent: number | null;
  open: number;
}

interface Waiter {
  path: string;
  endpoint: EndpointBudget | null;
  essential: boolean;
  since: number;
  deadline: number;
  resolve(permit: Permit): void;
  reject(err: IbgwError): void;
  detach(): void;
}

export interface PacerStats {
  queued: number;
  sent: number;
  refusedBusy: number;
  refusedPenalty: number;
  penaltyUntil: number | null;
}

const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));

export class Pacer implements CallPacer {
  #settings: PacerSettings;
  #global: PaceWindow;
  #budgets = new Map<string, EndpointBudget>();
  #endpoints = new PatternTable<EndpointBudget>({});
  readonly #queue: Waiter[] = [];
  readonly #now: () => number;
  readonly #onPenalty: (until: number) => void;
  #timer: NodeJS.Timeout | null = null;
  #penaltyUntil = 0;
  #closed = false;
  readonly #stats = { sent: 0, refusedBusy: 0, refusedPenalty: 0 };

  constructor(settings: PacerSettings, options: { now?: () => number; onPenalty?: (until: number) => void } = {}) {
    this.#now = options.now ?? Date.now;
    this.#onPenalty = options.onPenalty ?? (() => {});
    this.#settings = settings;
    this.#global = new PaceWindow(settings.globalPerSec, 1000 + settings.guardMs);
    this.reconfigure(settings);
  }

  /** New limits apply to the next send; what was sent stays counted where the limit is unchanged. */
  reconfigure(settings: PacerSettings): void {
    const old = this.#settings;
    this.#settings = settings;
    if (old.globalPerSec !== settings.globalPerSec || old.guardMs !== settings.guardMs) {
      this.#global = new PaceWindow(settings.globalPerSec, 1000 + settings.guardMs);
    }
    const budgets = new Map<string, EndpointBudget>();
    for (const [key, limit] of Object.entries(settings.perEndpoint)) {
      const previous = this.#budgets.get(key);
      const keep = previous && sameLimit(previous, limit, settings.guardMs);
      budgets.set(key, keep ? previous : {
        key,
        window: 'count' in limit ? new PaceWindow(limit.count, limit.perMs + settings.guardMs) : null,
        concurrent: 'concurrent' in limit ? limit.concurrent : null,
        open: previous?.open ?? 0,
      });
    }
    this.#budgets = budgets;
    this.#endpoints = new PatternTable(Object.fromEntries(budgets));
    for (const w of this.#queue) w.endpoint = this.#endpoints.lookup(w.path)?.value ?? null;
    this.#pump();
  }

  penaltyUntil(): number | null {
    return this.#penaltyUntil > this.#now() ? this.#penaltyUntil : null;
  }

  /**
   * An upstream 429: hold everything that can wait until `until`. 429s inside the box do not
   * extend it: the tickles that still go answer 429 there, and IBKR does not count those.
   */
  penalize(until: number): void {
    if (this.penaltyUntil() !== null) return;
    this.#penaltyUntil = until;
    this.#onPenalty(until);
    for (const w of [...this.#queue]) if (!w.essential) this.#refuse(w, this.#penaltyError());
  }

  depth(): number {
    return this.#queue.length;
  }

  stats(): PacerStats {
    return { queued: this.#queue.length, ...this.#stats, penaltyUntil: this.penaltyUntil() };
  }

  acquire(path: string, options: AcquireOptions = {}): Promise<Permit> {
    const now = this.#now();
    const essential = options.essential === true;
    if (this.#closed) return Promise.reject(ERR_IBKR_CLOSED());
    if (!essential && this.penaltyUntil() !== null) {
      this.#stats.refusedPenalty++;
      return Promise.reject(this.#penaltyError());
    }
    if (options.signal?.aborted) return Promise.reject(ERR_IBKR_CLOSED());
    const endpoint = this.#endpoints.lookup(path)?.value ?? null;
    if (!essential) {
      const refusal = this.#admission(path, endpoint, now);
      if (refusal) {
        this.#stats.refusedBusy++;
        return Promise.reject(refusal);
      }
    }
    return new Promise<Permit>((resolve, reject) => {
      const onAbort = () => this.#remove(waiter, ERR_IBKR_CLOSED());
      const waiter: Waiter = {
        path, endpoint, essential, since: now,
        // The keeper has its own timeouts; an essential call is never refused for waiting.
        deadline: essential ? Number.POSITIVE_INFINITY : now + this.#settings.maxWaitMs,
        resolve, reject,
        detach: () => options.signal?.removeEventListener('abort', onAbort),
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      // Essential calls go before every waiting app call, after earlier essential ones.
      const at = essential ? this.#queue.findIndex((w) => !w.essential) : -1;
      if (at === -1) this.#queue.push(waiter);
      else this.#queue.splice(at, 0, waiter);
      this.#pump();
    });
  }

  /** Refuses, before it queues, a request the queue cannot take or would hold too long. */
  #admission(path: string, endpoint: EndpointBudget | null, now: number): IbgwError | null {
    const { maxQueue, maxWaitMs } = this.#settings;
    if (this.#queue.length >= maxQueue) return busy(`${this.#queue.length} requests already waiting`, maxWaitMs);
    const appCap = this.#appCap();
    const ahead = this.#queue.length;
    let start = this.#global.projectedStart(now, ahead, appCap);
    if (endpoint?.window) {
      const sameEndpoint = this.#queue.filter((w) => w.endpoint === endpoint).length;
      start = Math.max(start, endpoint.window.projectedStart(now, sameEndpoint));
    }
    const wait = start - now;
    if (wait > maxWaitMs) return busy(`${path} would wait about ${Math.ceil(wait)} ms (bound ${maxWaitMs} ms)`, wait);
    return null;
  }

  #appCap(): number {
    return Math.max(1, this.#settings.globalPerSec - this.#settings.reservedForSession);
  }

  #fits(w: Waiter, now: number): boolean {
    const cap = w.essential ? this.#settings.globalPerSec : this.#appCap();
    if (!this.#global.hasRoom(now, cap)) return false;
    const e = w.endpoint;
    if (e?.window && !e.window.hasRoom(now)) return false;
    if (e?.concurrent !== null && e?.concurrent !== undefined && e.open >= e.concurrent) return false;
    return true;
  }

  /** Sends whatever fits now, refuses what waited too long, and wakes up when the next could go. */
  #pump(): void {
    if (this.#timer) { clearTimeout(this.#timer); this.#timer = null; }
    const now = this.#now();
    let wakeAt = Number.POSITIVE_INFINITY;
    for (const w of [...this.#queue]) {
      if (!w.essential && this.penaltyUntil() !== null) { this.#refuse(w, this.#penaltyError()); continue; }
      if (this.#fits(w, now)) { this.#send(w, now); continue; }
      if (now >= w.deadline) { this.#refuse(w, busy(`${w.path} waited ${now - w.since} ms for its turn`, this.#settings.maxWaitMs)); continue; }
      wakeAt = Math.min(wakeAt, w.deadline, this.#nextRoomAt(w, now));
    }
    if (Number.isFinite(wakeAt)) {
      // Not unref'd: callers await these permits; close() clears it when the daemon stops.
      this.#timer = setTimeout(() => { this.#timer = null; this.#pump(); }, Math.max(1, wakeAt - now));
    }
  }

  #nextRoomAt(w: Waiter, now: number): number {
    const cap = w.essential ? this.#settings.globalPerSec : this.#appCap();
    let at = this.#global.nextRoomAt(now, cap);
    if (w.endpoint?.window) at = Math.max(at, w.endpoint.window.nextRoomAt(now));
    // A concurrency cap frees up on release(), which pumps; no timer needed for it.
    return at;
  }

  #send(w: Waiter, now: number): void {
    this.#take(w);
    this.#global.record(now);
    const e = w.endpoint;
    e?.window?.record(now);
    let open = false;
    if (e && e.concurrent !== null) { e.open++; open = true; }
    this.#stats.sent++;
    w.resolve({
      sentAt: now,
      waitedMs: now - w.since,
      release: () => {
        if (!open || !e) return;
        open = false;
        e.open--;
        this.#pump();
      },
    });
  }

  #take(w: Waiter): void {
    const i = this.#queue.indexOf(w);
    if (i >= 0) this.#queue.splice(i, 1);
    w.detach();
  }

  #refuse(w: Waiter, err: IbgwError): void {
    this.#take(w);
    if (err.code === ERR_IBKR_PENALTY.code) this.#stats.refusedPenalty++;
    else this.#stats.refusedBusy++;
    w.reject(err);
  }

  #remove(w: Waiter, err: IbgwError): void {
    if (!this.#queue.includes(w)) return;
    this.#take(w);
    w.reject(err);
    this.#pump();
  }

  #penaltyError(): IbgwError {
    const until = this.#penaltyUntil;
    const err = ERR_IBKR_PENALTY(new Date(until).toISOString());
    err.details = { reason: 'penalty-box', until: new Date(until).toISOString(), retryAfter: seconds(until - this.#now()) };
    return err;
  }

  /** Refuses everything still waiting (daemon stop). */
  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    for (const w of [...this.#queue]) { this.#take(w); w.reject(ERR_IBKR_CLOSED()); }
  }
}

function busy(why: string, waitMs: number): IbgwError {
  const err = ERR_IBKR_BUSY(why);
  err.details = { reason: 'queue', retryAfter: seconds(waitMs) };
  return err;
}

function sameLimit(budget: EndpointBudget, limit: PaceLimitConfig, guardMs: number): boolean {
  if ('count' in limit) return budget.window !== null && budget.window.count === limit.count && budget.window.spanMs === limit.perMs + guardMs;
  return budget.concurrent === limit.concurrent;
}
