/**
 * The gateway's `ips` filter, with the real one's quirks (observed on the 2023-04-24 build):
 * - only `a.*`, `a.b.*`, `a.b.c.*` and literal `a.b.c.d` work; `127.0.*.*`, CIDR and host names
 *   never match;
 * - an entry it cannot parse silently takes the previous entry's pattern (the parser keeps the
 *   last good one in a variable); with no previous entry it matches nothing;
 * - a bare `*` does not mean "everyone": it breaks the filter so every request answers 500;
 * - a missing `allow` or `deny` switches filtering off, while two empty lists refuse everyone.
 */
import type { IpLists } from './conf-file.js';

/** A parsed entry: the leading octets that must be equal (1–4 of them). */
export type IpPattern = { octets: string[] } | null;

export type IpVerdict = 'allow' | 'deny' | 'broken';

export interface CompiledIpFilter {
  /** false when one list is missing: no check at all. */
  enabled: boolean;
  /** A bare "*" somewhere: the filter throws on every request (HTTP 500). */
  broken: boolean;
  allow: IpPattern[];
  deny: IpPattern[];
}

// Digits only, without a range check: the shipped conf denies 212.90.324.10 and still loads.
const OCTET = /^\d{1,3}$/;

export function parsePattern(entry: string): IpPattern | 'star' | 'invalid' {
  const text = entry.trim();
  if (text === '*') return 'star';
  const parts = text.split('.');
  if (parts.length === 4 && parts.every((p) => OCTET.test(p))) return { octets: parts };
  const last = parts.pop();
  if (last === '*' && parts.length >= 1 && parts.length <= 3 && parts.every((p) => OCTET.test(p))) return { octets: parts };
  return 'invalid';
}

function compileList(entries: string[]): { patterns: IpPattern[]; star: boolean } {
  const patterns: IpPattern[] = [];
  let previous: IpPattern = null;
  let star = false;
  for (const entry of entries) {
    const parsed = parsePattern(entry);
    if (parsed === 'star') {
      star = true;
      patterns.push(previous);
    } else if (parsed === 'invalid') {
      patterns.push(previous);
    } else {
      previous = parsed;
      patterns.push(parsed);
    }
  }
  return { patterns, star };
}

export function compileIpFilter(lists: IpLists): CompiledIpFilter {
  if (lists.allow === null || lists.deny === null) return { enabled: false, broken: false, allow: [], deny: [] };
  const allow = compileList(lists.allow);
  const deny = compileList(lists.deny);
  return { enabled: true, broken: allow.star || deny.star, allow: allow.patterns, deny: deny.patterns };
}

/** Node reports IPv4 peers of a dual-stack listener as ::ffff:a.b.c.d; the JVM shows a.b.c.d. */
export function normalizePeer(address: string | undefined): string {
  if (!address) return '';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

function matches(pattern: IpPattern, address: string): boolean {
  if (!pattern) return false;
  const parts = address.split('.');
  if (parts.length !== 4) return false; // IPv6 peers never match an IPv4 pattern
  return pattern.octets.every((octet, i) => Number(octet) === Number(parts[i]));
}

export function checkPeer(filter: CompiledIpFilter, rawAddress: string | undefined): IpVerdict {
  if (!filter.enabled) return 'allow';
  if (filter.broken) return 'broken';
  const address = normalizePeer(rawAddress);
  if (filter.deny.some((p) => matches(p, address))) return 'deny';
  return filter.allow.some((p) => matches(p, address)) ? 'allow' : 'deny';
}
