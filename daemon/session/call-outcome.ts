/**
 * How every gateway answer is classified (gateway-client.ts decides, ladder.ts and
 * endpoint-stats.ts read it). Its own file so those three import it without importing each other.
 */
export type CallOutcome =
  | 'ok'
  | 'unauthorized'
  | 'rate-limited'
  | 'server-error'
  /** 404 with the body `Access Denied`: the gateway's IP allow-list refused us. */
  | 'access-denied'
  | 'not-found'
  | 'client-error'
  | 'network-error'
  /** Never answered within the timeout: a hung gateway, or IBKR unreachable behind it. */
  | 'timeout'
  /** Connected, but not one byte of the TLS handshake came back: the process does not run (stopped, frozen). */
  | 'silent';

/** 401 and 404 are answers about the session or the path, facts rather than faults of the call. */
export function isFault(outcome: CallOutcome): boolean {
  return outcome !== 'ok' && outcome !== 'unauthorized' && outcome !== 'not-found';
}
