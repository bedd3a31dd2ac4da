/**
 * The gateway's one login. The real gateway keeps a single cookie jar for all clients, so
 * there is exactly one session here, shared by everyone who passes the IP check.
 *
 * Two layers, as at IBKR: the SSO session (the web login; without it every API call is 401)
 * and, on top, the brokerage session (`authenticated`), which comes up `authDelay` ms after a
 * login or a reauthenticate and can be lost on its own (another platform competes for it,
 * IBKR drops it) while SSO stays. Expiry is evaluated lazily at each look, so no timers need
 * cleaning up and a paused process cannot miss one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { nextDailyReset } from './daily-reset.js';
import type { SimConfig, SimUser } from './sim-config.js';

export type BrokerageState = 'none' | 'pending' | 'authenticated' | 'competing';
export type DropReason = 'idle' | 'max-age' | 'daily-reset' | 'logout' | 'expired-by-control' | 'replaced';

export const SERVER_INFO = { serverName: 'JifN19053', serverVersion: 'Build 10.38.1b, Jul 21, 2025 11:14:51 AM' };
const MAC = '98:F2:B3:23:BF:A0';

export interface SsoSession {
  id: string;
  user: SimUser;
  userId: number;
  authTime: number;
  lastActivity: number;
  maxUntil: number;
  resetAt: number | null;
  brokerage: BrokerageState;
  /** When a pending brokerage session becomes authenticated. */
  brokerageAt: number;
}

export interface AuthStatus {
  authenticated: boolean;
  competing: boolean;
  connected: boolean;
  message: string;
  MAC?: string;
  serverInfo?: typeof SERVER_INFO;
}

/** IBKR user ids are 9-digit numbers; derive one from the name so it is stable across runs. */
export function userIdOf(username: string): number {
  return 100_000_000 + (createHash('sha256').update(username).digest().readUInt32BE(0) % 900_000_000);
}

export class SessionStore {
  private session: SsoSession | null = null;
  lastDrop: { reason: DropReason; at: number } | null = null;

  constructor(
    private readonly sim: SimConfig,
    private readonly authDelayMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The live session after applying idle, max-age and daily-reset expiry; null when none. */
  current(): SsoSession | null {
    const s = this.session;
    if (!s) return null;
    const now = this.now();
    if (now - s.lastActivity >= this.sim.sessionIdleMs) this.drop('idle', now);
    else if (now >= s.maxUntil) this.drop('max-age', now);
    else if (s.resetAt !== null && now >= s.resetAt) this.drop('daily-reset', now);
    else if (s.brokerage === 'pending' && now >= s.brokerageAt) s.brokerage = 'authenticated';
    return this.session;
  }

  /** A successful login; `immediate` skips authDelay (the control channel's shortcut). */
  login(user: SimUser, immediate = false): SsoSession {
    const now = this.now();
    if (this.session) this.drop('replaced', now);
    this.session = {
      id: randomBytes(16).toString('hex'),
      user,
      userId: userIdOf(user.username),
      authTime: now,
      lastActivity: now,
      maxUntil: now + this.sim.sessionMaxMs,
      resetAt: nextDailyReset(this.sim.dailyReset, now),
      // A fresh login takes the brokerage session over from any other platform.
      brokerage: immediate || this.authDelayMs === 0 ? 'authenticated' : 'pending',
      brokerageAt: now + this.authDelayMs,
    };
    return this.session;
  }

  touch(): void {
    const s = this.current();
    if (s) s.lastActivity = this.now();
  }

  drop(reason: DropReason, at: number = this.now()): void {
    if (!this.session) return;
    this.session = null;
    this.lastDrop = { reason, at };
  }

  /**
   * /iserver/reauthenticate and /iserver/auth/ssodh/init. A competing session is only taken
   * over when the caller asks to compete, as ssodh/init?compete=true does.
   */
  reauthenticate(compete: boolean): 'not logged in' | 'triggered' {
    const s = this.current();
    if (!s) return 'not logged in';
    if (s.brokerage === 'none' || (s.brokerage === 'competing' && compete)) {
      s.brokerage = this.authDelayMs === 0 ? 'authenticated' : 'pending';
      s.brokerageAt = this.now() + this.authDelayMs;
    }
    return 'triggered';
  }

  setBrokerage(state: 'none' | 'competing'): boolean {
    const s = this.current();
    if (!s) return false;
    s.brokerage = state;
    return true;
  }

  authStatus(): AuthStatus {
    const s = this.current();
    const state = s?.brokerage ?? 'none';
    if (state === 'none') return { authenticated: false, competing: false, connected: false, message: '' };
    return {
      authenticated: state === 'authenticated',
      competing: state === 'competing',
      connected: true,
      message: '',
      MAC,
      serverInfo: SERVER_INFO,
    };
  }

  /** ms until the SSO session ends by itself (idle, age or daily reset, whichever is first). */
  msLeft(): number {
    const s = this.current();
    if (!s) return 0;
    const now = this.now();
    const ends = [s.lastActivity + this.sim.sessionIdleMs, s.maxUntil];
    if (s.resetAt !== null) ends.push(s.resetAt);
    return Math.max(0, Math.min(...ends) - now);
  }

  describe(): object {
    const s = this.current();
    const state = !s ? 'none' : s.brokerage === 'authenticated' ? 'authenticated' : 'sso';
    return {
      state,
      brokerage: s?.brokerage ?? null,
      user: s?.user.username ?? null,
      since: s?.authTime ?? null,
      msLeft: this.msLeft(),
      resetAt: s?.resetAt ?? null,
      lastDrop: this.lastDrop,
    };
  }
}
