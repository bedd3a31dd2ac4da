/**
 * The admin UI's sign-in sessions: a random id (the cookie) → the token the person signed in
 * with. The token stays the authority — every request of a session is checked with it by the
 * same constant-time check as a bearer token — so a session can never do more than its token,
 * and a token that stops being valid (a revoked app token) stops its sessions at their next request. Memory only: a daemon restart signs
 * everyone out. Bounded: past `maxSessions` the least recently used one is dropped.
 *
 * Sessions are found by the SHA-256 of the id, so neither a map lookup's timing nor a heap
 * dump hands out a cookie. No Fastify here.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EventSink } from '../events.js';

export type UiRole = 'admin' | 'read';

export interface UiSessionsOptions {
  /** A session not used for this long is gone. */
  idleMs: number;
  /** Nor does any session live longer than this, however busy. */
  maxAgeMs: number;
  maxSessions: number;
  now?: () => number;
  /** Sign-ins and sign-outs are recorded (never the token or the cookie). */
  onEvent?: EventSink;
}

export interface UiSession {
  token: string;
  role: UiRole;
  /** Sent back in a header on every change: a page of another site cannot read it. */
  csrf: string;
  address: string;
  createdAt: number;
  lastSeenAt: number;
}

export interface UiSessionView {
  role: UiRole;
  csrf: string;
  address: string;
  expiresAt: number;
}

const key = (id: string): string => createHash('sha256').update(id).digest('hex');

export class UiSessions {
  readonly #o: Required<UiSessionsOptions>;
  /** Least recently used first: a touched session is moved to the end. */
  readonly #byKey = new Map<string, UiSession>();

  constructor(options: UiSessionsOptions) {
    this.#o = { now: Date.now, onEvent: () => {}, ...options };
  }

  get size(): number {
    return this.#byKey.size;
  }

  get maxAgeMs(): number {
    return this.#o.maxAgeMs;
  }

  create(token: string, role: UiRole, address: string): { id: string; session: UiSessionView } {
    this.sweep();
    while (this.#byKey.size >= this.#o.maxSessions) this.#byKey.delete(this.#byKey.keys().next().value!);
    const id = randomBytes(32).toString('base64url');
    const now = this.#o.now();
    const session: UiSession = { token, role, csrf: randomBytes(32).toString('base64url'), address, createdAt: now, lastSeenAt: now };
    this.#byKey.set(key(id), session);
    this.#o.onEvent({ type: 'api.ui.sign-in', level: 'info', message: `admin UI: signed in from ${address} (${role})`, data: { address, role, sessions: this.#byKey.size } });
    return { id, session: this.view(session) };
  }

  /** The live session for a cookie id (counted as a use), or null. */
  use(id: string): UiSession | null {
    const k = key(id);
    const session = this.#byKey.get(k);
    if (!session) return null;
    const now = this.#o.now();
    if (this.#expiresAt(session) <= now) {
      this.#byKey.delete(k);
      return null;
    }
    session.lastSeenAt = now;
    this.#byKey.delete(k);
    this.#byKey.set(k, session);
    return session;
  }

  remove(id: string): boolean {
    const k = key(id);
    const session = this.#byKey.get(k);
    if (!session) return false;
    this.#byKey.delete(k);
    this.#o.onEvent({ type: 'api.ui.sign-out', level: 'info', message: `admin UI: signed out from ${session.address}`, data: { address: session.address, role: session.role } });
    return true;
  }

  sweep(): void {
    const now = this.#o.now();
    for (const [k, s] of this.#byKey) if (this.#expiresAt(s) <= now) this.#byKey.delete(k);
  }

  view(session: UiSession): UiSessionView {
    return { role: session.role, csrf: session.csrf, address: session.address, expiresAt: this.#expiresAt(session) };
  }

  #expiresAt(s: UiSession): number {
    return Math.min(s.lastSeenAt + this.#o.idleMs, s.createdAt + this.#o.maxAgeMs);
  }
}

/** Constant-time comparison of the CSRF header with the session's value. */
export function csrfMatches(offered: string | undefined, expected: string): boolean {
  if (typeof offered !== 'string') return false;
  const a = createHash('sha256').update(offered).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
