/**
 * Both lists must exist and be non-empty. The gateway turns filtering OFF for everybody when
 * either list is missing (observed), so a list that is empty today is one careless edit away
 * from an open gateway. An empty deny list gets an entry that can never match a TCP peer.
 */
export const DENY_SENTINEL = '0.0.0.0';
export const DENY_SENTINEL_LABEL = 'placeholder that never matches (no peer has address 0.0.0.0): keeps deny non-empty, because a missing deny list turns the gateway\'s IP filtering off';
export const ALLOW_PROBE_LABEL = 'the daemon\'s own probes come from here (access.probeAddress)';

export interface AccessLists {
  allow: string[];
  deny: string[];
}

export interface GuaranteedLists extends AccessLists {
  /** Entries added to satisfy the guarantees, with the label explaining each. */
  added: Array<{ list: 'allow' | 'deny'; pattern: string; label: string }>;
  /** `*` entries dropped: they make every request answer HTTP 500. */
  dropped: string[];
}

function asList(value: unknown): string[] {
  return Array.isArray(value) ? value.map((v) => String(v)) : [];
}

/** The allow and deny entries of a conf's `ips` value, as strings; a missing list reads as empty. */
export function listsOf(ips: unknown): { allow: string[]; deny: string[] } {
  const src = ips && typeof ips === 'object' && !Array.isArray(ips) ? (ips as Record<string, unknown>) : {};
  return { allow: asList(src.allow), deny: asList(src.deny) };
}

export function guaranteeLists(ips: unknown, probeAddress: string): GuaranteedLists {
  const src = ips && typeof ips === 'object' && !Array.isArray(ips) ? (ips as Record<string, unknown>) : {};
  const dropped: string[] = [];
  const clean = (list: string[]) => list.filter((e) => (e.trim() === '*' ? (dropped.push(e), false) : true));
  const allow = clean(asList(src.allow));
  const deny = clean(asList(src.deny));
  const added: GuaranteedLists['added'] = [];
  if (allow.length === 0) {
    allow.push(probeAddress);
    added.push({ list: 'allow', pattern: probeAddress, label: ALLOW_PROBE_LABEL });
  }
  if (deny.length === 0) {
    deny.push(DENY_SENTINEL);
    added.push({ list: 'deny', pattern: DENY_SENTINEL, label: DENY_SENTINEL_LABEL });
  }
  return { allow, deny, added, dropped };
}

/** True when the lists as found already satisfy the guarantees (nothing to write). */
export function listsUnchanged(ips: unknown, lists: AccessLists): boolean {
  const src = ips && typeof ips === 'object' ? (ips as Record<string, unknown>) : {};
  const same = (a: unknown, b: string[]) => Array.isArray(a) && a.length === b.length && a.every((v, i) => String(v) === b[i]);
  return same(src.allow, lists.allow) && same(src.deny, lists.deny);
}
