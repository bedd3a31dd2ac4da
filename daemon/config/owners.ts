/**
 * Which service owns each config key, and what applying a change to it takes. This table is
 * the one place that rule lives: the registry routes each changed key to its owner's
 * reconfigure(), and records a pending change for keys only a daemon restart can apply.
 *
 * - live: the owner applies the new value in place;
 * - rebuild: the owner replaces what it holds with one built from the new config;
 * - gateway-restart: the gateway reads its conf.yaml and keystore only at start, so the owner
 *   rebuilds the launch and asks for a planned restart;
 * - daemon-restart: built once at daemon start (the API's address, the data dir, the store).
 */
export type ChangeEffect = 'live' | 'rebuild' | 'gateway-restart' | 'daemon-restart';

export interface ConfigOwner {
  /** A dotted key; it covers every key below it. */
  key: string;
  owner: string;
  effect: ChangeEffect;
}

/** Longest key wins, so `gateway.logs` can belong elsewhere than `gateway`. */
export const CONFIG_OWNERS: readonly ConfigOwner[] = [
  { key: 'dataDir', owner: 'daemon', effect: 'daemon-restart' },
  { key: 'api', owner: 'api', effect: 'daemon-restart' },
  { key: 'api.passThrough', owner: 'ibkr', effect: 'live' },
  { key: 'store', owner: 'store', effect: 'daemon-restart' },
  { key: 'logging', owner: 'daemon', effect: 'live' },
  { key: 'gateway', owner: 'gateway', effect: 'gateway-restart' },
  { key: 'gateway.logs', owner: 'supervisor', effect: 'daemon-restart' },
  { key: 'gateway.autoStart', owner: 'supervisor', effect: 'live' },
  { key: 'gateway.startTimeoutMs', owner: 'supervisor', effect: 'live' },
  { key: 'gateway.stopGraceMs', owner: 'supervisor', effect: 'live' },
  { key: 'gateway.readyProbeIntervalMs', owner: 'supervisor', effect: 'live' },
  { key: 'gateway.restart', owner: 'supervisor', effect: 'live' },
  { key: 'gateway.resources', owner: 'supervisor', effect: 'live' },
  { key: 'conf', owner: 'gateway', effect: 'gateway-restart' },
  { key: 'tls', owner: 'gateway', effect: 'gateway-restart' },
  { key: 'access', owner: 'gateway', effect: 'gateway-restart' },
  { key: 'session', owner: 'session', effect: 'rebuild' },
  { key: 'session.resets', owner: 'calendar', effect: 'live' },
  { key: 'notifications', owner: 'notifier', effect: 'live' },
  { key: 'vault', owner: 'vault', effect: 'live' },
  { key: 'maintenance', owner: 'maintenance', effect: 'live' },
  { key: 'login', owner: 'login', effect: 'live' },
  { key: 'ui', owner: 'api', effect: 'daemon-restart' },
];

const covers = (key: string, path: string): boolean => path === key || path.startsWith(`${key}.`);

export function ownerOf(path: string): ConfigOwner | null {
  let best: ConfigOwner | null = null;
  for (const entry of CONFIG_OWNERS) {
    if (covers(entry.key, path) && (!best || entry.key.length > best.key.length)) best = entry;
  }
  return best;
}

export interface RoutedChange {
  /** Owner name → the changed paths it owns. */
  byOwner: Map<string, string[]>;
  /** Paths that apply only after a daemon restart. */
  pending: string[];
  /** The strongest effect among the paths, for the one-line summary. */
  effect: ChangeEffect;
}

const STRENGTH: Record<ChangeEffect, number> = { live: 0, rebuild: 1, 'gateway-restart': 2, 'daemon-restart': 3 };

export function routeChange(paths: readonly string[]): RoutedChange {
  const byOwner = new Map<string, string[]>();
  const pending: string[] = [];
  let effect: ChangeEffect = 'live';
  for (const path of paths) {
    // A key missing from the table is a programming error caught by the owners test; at run
    // time it is safest to treat it as needing a daemon restart.
    const entry = ownerOf(path) ?? { key: path, owner: 'daemon', effect: 'daemon-restart' as const };
    if (STRENGTH[entry.effect] > STRENGTH[effect]) effect = entry.effect;
    if (entry.effect === 'daemon-restart') { pending.push(path); continue; }
    byOwner.set(entry.owner, [...(byOwner.get(entry.owner) ?? []), path]);
  }
  return { byOwner, pending, effect };
}
