import { isDeepStrictEqual } from 'node:util';
import type { Config } from './types.js';
import { routeChange, type ChangeEffect } from './owners.js';

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

export interface ConfigChange {
  paths: string[];
  /** The strongest effect among the paths (config/owners.ts). */
  effect: ChangeEffect;
}

export function classifyChange(before: Config, after: Config): ConfigChange {
  const paths = changedPaths(before, after);
  return { paths, effect: routeChange(paths).effect };
}
