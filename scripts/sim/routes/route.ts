/**
 * The routing table's shape. Paths are either exact strings or patterns with `{name}`
 * segments; the gateway has few enough routes that a linear scan is the clearest dispatcher.
 */
import type { SimContext } from '../context.js';
import type { RouteResult, SimRequest } from '../http-io.js';

export type Handler = (req: SimRequest, ctx: SimContext, params: Record<string, string>) => RouteResult | Promise<RouteResult>;

export interface Route {
  methods: string[];
  /** e.g. '/portfolio/{accountId}/positions/{page}' */
  path: string;
  handler: Handler;
}

export function matchRoute(routes: Route[], method: string, path: string): { route: Route; params: Record<string, string> } | null {
  const parts = path.split('/');
  for (const route of routes) {
    if (!route.methods.includes(method)) continue;
    const pattern = route.path.split('/');
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const ok = pattern.every((segment, i) => {
      const value = parts[i]!;
      if (segment.startsWith('{') && segment.endsWith('}')) {
        params[segment.slice(1, -1)] = decodeURIComponent(value);
        return value !== '';
      }
      return segment === value;
    });
    if (ok) return { route, params };
  }
  return null;
}
