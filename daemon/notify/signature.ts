/**
 * Webhook signatures: HMAC-SHA256 over `<timestamp>.<body>` with the channel's secret, so a
 * receiver can tell our requests from forgeries and refuse a captured request replayed later
 * (the timestamp is inside the signed text). Scheme as in docs/notifications.md.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-ibgw-signature';
export const TIMESTAMP_HEADER = 'x-ibgw-timestamp';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Receivers should refuse timestamps further than this from their own clock. */
export const DEFAULT_TOLERANCE_S = 300;

export function sign(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver does; used by the tests' receiver and offered to anyone writing one in TypeScript. */
export function verify(secret: string, headers: { signature?: string; timestamp?: string }, body: string, nowS: number, toleranceS = DEFAULT_TOLERANCE_S): 'ok' | 'missing' | 'stale' | 'mismatch' {
  if (!headers.signature || !headers.timestamp || !/^\d+$/.test(headers.timestamp)) return 'missing';
  const ts = Number(headers.timestamp);
  if (Math.abs(nowS - ts) > toleranceS) return 'stale';
  const expected = Buffer.from(sign(secret, ts, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given) ? 'ok' : 'mismatch';
}
