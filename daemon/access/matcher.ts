import { normalizePeer } from './ipv4.js';

export interface AccessExplanation {
  address: string;
  /** What the gateway answers this peer: 200 (passes the filter), 404 `Access Denied`, or 500. */
  status: 200 | 404 | 500;
  allowed: boolean;
  /** False when a list is missing and the gateway lets everyone in. */
  filtering: boolean;
  list: 'allow' | 'deny' | null;
  /** The entry that decided (as written in conf.yaml). */
  entry: string | null;
  reason: string;
}

type Matcher = { entry: string; test: (addr: string) => boolean };

/**
 * The gateway's own, looser reading of an entry: 1–3 digit octets without a range check (the
 * shipped conf denies 212.90.324.10 and still loads), compared as numbers. Entries the daemon
 * adds are checked strictly by parseAccessEntry; this only mirrors what the gateway would do.
 */
function gatewayOctets(entry: string): string[] | null {
  const parts = entry.split('.');
  const digits = (ps: string[]) => ps.every((p) => /^\d{1,3}$/.test(p));
  if (parts.length === 4 && digits(parts)) return parts;
  const last = parts.pop();
  return last === '*' && parts.length >= 1 && parts.length <= 3 && digits(parts) ? parts : null;
}

function octetTest(octets: string[]): (addr: string) => boolean {
  return (addr) => {
    const parts = addr.split('.');
    return parts.length === 4 && octets.every((o, i) => Number(o) === Number(parts[i]));
  };
}

/**
 * The gateway's list compiled as it does it (observed): an invalid entry is silently replaced
 * by the previous valid one, so `[10.*, 10.0.0.0/8]` is `[10.*, 10.*]`; an invalid first entry
 * matches nothing.
 */
function compile(entries: unknown[]): Matcher[] {
  const out: Matcher[] = [];
  let previous: Matcher = { entry: '', test: () => false };
  for (const raw of entries) {
    const entry = String(raw).trim();
    const octets = gatewayOctets(entry);
    if (octets) previous = { entry, test: octetTest(octets) };
    out.push({ entry: String(raw), test: previous.test });
  }
  return out;
}

/**
 * Why the gateway lets `address` in or answers 404 `Access Denied`, mirroring its rules:
 * missing list = filtering off, a `*` entry = HTTP 500 for all, deny checked first, then allow.
 * `ips` is the `ips` value of conf.yaml (anything: it may be missing or malformed).
 */
export function explainAccess(address: string, ips: unknown): AccessExplanation {
  const addr = normalizePeer(address);
  const base = { address: addr, filtering: true, list: null, entry: null };
  const lists = ips && typeof ips === 'object' ? (ips as Record<string, unknown>) : {};
  const allow = lists.allow;
  const deny = lists.deny;
  if (!Array.isArray(allow) || !Array.isArray(deny)) {
    const missing = !Array.isArray(allow) ? 'allow' : 'deny';
    return { ...base, status: 200, allowed: true, filtering: false, reason: `ips.${missing} is missing: the gateway lets every address in` };
  }
  const star = [...allow, ...deny].find((e) => String(e).trim() === '*');
  if (star !== undefined) return { ...base, status: 500, allowed: false, reason: 'a bare "*" entry makes the gateway answer every request with HTTP 500' };
  const denied = compile(deny).find((m) => m.test(addr));
  if (denied) return { ...base, status: 404, allowed: false, list: 'deny', entry: denied.entry, reason: `${addr} matches deny entry ${denied.entry} (deny is checked first)` };
  const allowed = compile(allow).find((m) => m.test(addr));
  if (allowed) return { ...base, status: 200, allowed: true, list: 'allow', entry: allowed.entry, reason: `${addr} matches allow entry ${allowed.entry}` };
  const shown = allow.length ? allow.map(String).join(', ') : 'empty';
  return { ...base, status: 404, allowed: false, list: 'allow', reason: `${addr} matches no allow entry (allow: ${shown}): the gateway answers 404 Access Denied` };
}
