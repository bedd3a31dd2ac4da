import { isDeepStrictEqual } from 'node:util';
import type { Config } from './types.js';

/** Dotted paths of the leaves that differ (arrays compare as a whole). */
export function changedPaths(a: unknown, b: unknown, prefix = ''): string[] {
  const plainA = typeof a === 'object' && a !== null && !Array.isArray(a);
  const plainB = typeof b === 'object' && b !== null && !Array.isArray(b);
  if (!plainA || !plainB) return isDeepStrictEqual(a, b) ? [] : [prefix || '(root)'];
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  const out: string[] = [];
  for (const key of keys) {
    out.push(...changedPaths((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], prefix ? `${prefix}.${key}` : key));
  }
  return out;
}

export type ChangeEffect = 'live' | 'gateway-restart' | 'daemon-restart';

/**
 * What applying a change takes. The gateway reads its conf.yaml and keystore only at start,
 * so anything that shapes its launch needs a gateway restart; the API's listening address
 * and the data dir belong to the daemon itself.
 */
export function effectOf(path: string): ChangeEffect {
  // The API server, the log capture and the store are built once at daemon start.
  const daemonBuilt = ['dataDir', 'api', 'gateway.logs', 'store'];
  if (daemonBuilt.some((p) => path === p || path.startsWith(`${p}.`))) return 'daemon-restart';
  const gatewayLaunch = ['gateway.kind', 'gateway.command', 'gateway.cwd', 'gateway.port', 'gateway.host', 'gateway.home', 'gateway.env', 'gateway.simulator', 'gateway.ibc', 'gateway.ibgateway', 'conf', 'tls', 'access'];
  if (gatewayLaunch.some((p) => path === p || path.startsWith(`${p}.`))) return 'gateway-restart';
  return 'live';
}

export interface ConfigChange {
  paths: string[];
  effect: ChangeEffect;
}

export function classifyChange(before: Config, after: Config): ConfigChange {
  const paths = changedPaths(before, after);
  const effects = paths.map(effectOf);
  const effect: ChangeEffect = effects.includes('daemon-restart') ? 'daemon-restart' : effects.includes('gateway-restart') ? 'gateway-restart' : 'live';
  return { paths, effect };
}
