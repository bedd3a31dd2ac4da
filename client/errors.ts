/**
 * What can go wrong, named the way the setup guide's ibkrService names it, so an app's
 * `catch` reads the same: "Connection refused" (no daemon, or the gateway is not running),
 * "Authentication failed" (the token, or the IBKR session), plus what the guide did not
 * have: the gateway in maintenance or IBKR's penalty box (retry later), and pacing (429).
 */
export interface ErrorBody {
  code?: string;
  message?: string;
  details?: Record<string, unknown>;
}

export class IbgwClientError extends Error {
  /** The daemon's stable code (IBGW_…), or CONNECTION_REFUSED when no daemon answered. */
  readonly code: string;
  /** HTTP status, or null when no answer came. */
  readonly status: number | null;
  readonly details: Record<string, unknown>;
  /** Seconds to wait before trying again, when the daemon said. */
  readonly retryAfter: number | null;

  constructor(message: string, code: string, status: number | null, details: Record<string, unknown> = {}, retryAfter: number | null = null) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.details = details;
    this.retryAfter = retryAfter;
  }
}

/** No daemon answering, or the daemon's gateway is not running. */
export class ConnectionRefusedError extends IbgwClientError {}
/** The app's token was refused, or the IBKR session is not authenticated. */
export class AuthenticationFailedError extends IbgwClientError {}
/** IBKR cannot be reached now (maintenance, penalty box, no answer): try again after `retryAfter`. */
export class UnavailableError extends IbgwClientError {}
/** Over IBKR's pacing for longer than the daemon queues: try again after `retryAfter`. */
export class RateLimitedError extends IbgwClientError {}
/** Anything else the daemon refused (bad input, unknown account, trading not allowed, …). */
export class RequestError extends IbgwClientError {}

/** Turns a daemon answer that is not a success into the error an app catches. */
export function errorFromAnswer(status: number, body: ErrorBody, retryAfterHeader: string | null): IbgwClientError {
  const code = body.code ?? `HTTP_${status}`;
  const message = body.message ?? `HTTP ${status}`;
  const details = body.details ?? {};
  const retry = Number(retryAfterHeader ?? details.retryAfter);
  const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : null;
  const reason = String(details.reason ?? '');
  if (status === 401) return new AuthenticationFailedError(`Authentication failed: ${message}`, code, status, details, retryAfter);
  if (status === 429) return new RateLimitedError(`Rate limited: ${message}`, code, status, details, retryAfter);
  if (reason.startsWith('gateway-')) return new ConnectionRefusedError(`Connection refused: ${message}`, code, status, details, retryAfter);
  if (reason.startsWith('session-')) return new AuthenticationFailedError(`Authentication failed: ${message}`, code, status, details, retryAfter);
  if (status >= 500) return new UnavailableError(`Unavailable: ${message}`, code, status, details, retryAfter);
  return new RequestError(message, code, status, details, retryAfter);
}
