/**
 * What the gateway's answers say about the IBKR session. Two layers exist: the SSO session
 * (the web login; gone → /tickle answers 401) and the brokerage session on top of it
 * (`iserver.authStatus.authenticated`). Only the brokerage session serves trading and data,
 * which is why "the gateway answers" is not "the gateway works".
 */

export type TickleState =
  /** 401: no SSO session; only a full login brings it back. */
  | 'no-session'
  /** SSO alive, brokerage session not: reauthenticate suffices. */
  | 'sso-only'
  | 'authenticated'
  /** Another platform (TWS, mobile, another portal) holds the one brokerage session per user. */
  | 'competing';

export interface SessionReading {
  state: TickleState;
  authenticated: boolean;
  connected: boolean;
  competing: boolean;
  /** ms of SSO session left as the gateway reported it, and the instant that makes. */
  ssoExpiresMs: number | null;
  ssoExpiresAt: number | null;
  message: string | null;
  serverVersion: string | null;
}

export interface AuthStatus {
  authenticated: boolean;
  competing: boolean;
  connected: boolean;
  message: string | null;
  fail: string | null;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Reads an authStatus object (from /tickle's iserver.authStatus or /iserver/auth/status). */
export function parseAuthStatus(body: unknown): AuthStatus {
  const s = record(body);
  return {
    authenticated: s.authenticated === true,
    competing: s.competing === true,
    connected: s.connected === true,
    message: text(s.message),
    fail: text(s.fail),
  };
}

/**
 * Turns a /tickle answer into a reading. `status` is the HTTP status; only 200 and 401 carry
 * session facts — anything else is the client's business (timeouts, 429, 5xx) and gives null.
 */
export function parseTickle(status: number, body: unknown, now: number): SessionReading | null {
  if (status === 401) {
    return { state: 'no-session', authenticated: false, connected: false, competing: false, ssoExpiresMs: null, ssoExpiresAt: null, message: null, serverVersion: null };
  }
  if (status < 200 || status >= 300) return null;
  const t = record(body);
  const iserver = record(t.iserver);
  const auth = parseAuthStatus(iserver.authStatus);
  // IBKR spells it `collission`; accept the correct spelling too in case a build fixes it.
  const collision = t.collission === true || t.collision === true;
  const competing = auth.competing || collision;
  const ssoExpiresMs = typeof t.ssoExpires === 'number' && Number.isFinite(t.ssoExpires) ? t.ssoExpires : null;
  const serverInfo = record(record(iserver.authStatus).serverInfo);
  return {
    // Competing wins only while the brokerage session is not ours: authenticated with a
    // competing flag is still a working session (the flag then warns of a takeover to come).
    state: auth.authenticated ? 'authenticated' : competing ? 'competing' : 'sso-only',
    authenticated: auth.authenticated,
    connected: auth.connected,
    competing,
    ssoExpiresMs,
    ssoExpiresAt: ssoExpiresMs === null ? null : now + ssoExpiresMs,
    message: auth.message,
    serverVersion: text(serverInfo.serverVersion),
  };
}

/**
 * Turns an /iserver/auth/status answer into a reading. It carries the brokerage facts but not
 * the SSO session's remaining time: that is kept from the reading before (the last tickle's).
 */
export function parseAuthStatusAnswer(status: number, body: unknown, now: number, previous: SessionReading | null): SessionReading | null {
  if (status === 401) return parseTickle(401, null, now);
  if (status < 200 || status >= 300) return null;
  const auth = parseAuthStatus(body);
  const serverInfo = record(record(body).serverInfo);
  return {
    state: auth.authenticated ? 'authenticated' : auth.competing ? 'competing' : 'sso-only',
    authenticated: auth.authenticated,
    connected: auth.connected,
    competing: auth.competing,
    ssoExpiresMs: previous?.ssoExpiresMs ?? null,
    ssoExpiresAt: previous?.ssoExpiresAt ?? null,
    message: auth.message,
    serverVersion: text(serverInfo.serverVersion) ?? previous?.serverVersion ?? null,
  };
}

/** /iserver/reauthenticate answers 200 `{"error":"not logged in"}` when there is no SSO session. */
export function reauthRefused(body: unknown): string | null {
  return text(record(body).error);
}
