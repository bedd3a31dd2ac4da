/**
 * No 5xx from the daemon's API except the documented ones: the 503s, and IBKR's failures handed on
 * by the pass-through routes. Every call the soak makes to the daemon passes here (DaemonApi
 * observers), whoever made it: apps, checkers, faults.
 */
import type { CallResult } from '../http-call.js';
import type { Violations } from '../violations.js';

/**
 * The 503s the API documents: "not ready" and "try again later" answers with their own code.
 * Codes of capabilities not on this build are listed too; they simply never appear.
 */
export const DOCUMENTED_503_CODES: ReadonlySet<string> = new Set([
  'IBGW_NOTIFY_STOPPED', 'IBGW_NOTIFY_SECRET_MISSING',
  // the app API (pass-through, portfolio, live events)
  'IBGW_IBKR_UNAVAILABLE', 'IBGW_IBKR_PENALTY', 'IBGW_IBKR_CLOSED', 'IBGW_EVENTS_FULL', 'IBGW_GATEWAY_UNAVAILABLE',
]);

/**
 * IBKR's own failures, handed on by the routes that reach it outside a maintenance window (README,
 * "502 and 504"): the gateway answered 5xx (502 IBGW_IBKR_UPSTREAM), not in time (504
 * IBGW_GATEWAY_TIMEOUT), or its connection broke (502 IBGW_GATEWAY_NETWORK). Faults like slow
 * answers and maintenance 5xx make them on purpose. Documented only for those routes: the same
 * code from any other route is a violation. IBGW_IBKR_TOO_LARGE is documented too, but the
 * simulator never answers that much, so here it would mean a bug.
 */
export const PASSED_ON_CODES: ReadonlySet<string> = new Set(['IBGW_IBKR_UPSTREAM', 'IBGW_GATEWAY_TIMEOUT', 'IBGW_GATEWAY_NETWORK']);
const PASS_THROUGH_ROUTES = /^\/api\/v1\/(ibkr\/|portfolio(\?|$)|connection(\?|$))/;

export function isPassedOn(path: string, result: CallResult): boolean {
  const status = result.code === 'IBGW_GATEWAY_TIMEOUT' ? 504 : 502;
  return result.status === status && result.code !== null && PASSED_ON_CODES.has(result.code) && PASS_THROUGH_ROUTES.test(path);
}

/** /readyz answers 503 with `{ready: false}` by design. */
const READY_PATHS = new Set(['/readyz']);

/** /api/v1/events?sinceId=12 → GET /api/v1/events; ids in paths become :id. */
export function routeOf(method: string, path: string): string {
  return `${method} ${path.split('?')[0]!.replace(/\/\d+(?=\/|$)/g, '/:id')}`;
}

export function isDocumented(path: string, result: CallResult): boolean {
  if (result.status !== 503) return false;
  if (READY_PATHS.has(path.split('?')[0]!)) return true;
  return result.code !== null && DOCUMENTED_503_CODES.has(result.code);
}

export class ApiInvariant {
  readonly #violations: Violations;
  /** Answers by route and status, for the report. */
  readonly byRoute = new Map<string, Map<string, number>>();
  total = 0;
  documented503 = 0;
  undocumented5xx = 0;
  /** IBKR's failures handed on by the pass-through routes (documented 502/504), by route, status and code. */
  readonly passedOn = new Map<string, number>();

  constructor(violations: Violations) {
    this.#violations = violations;
  }

  readonly observe = (method: string, path: string, result: CallResult): void => {
    const route = routeOf(method, path);
    const outcome = result.status === 0 ? `network ${result.error}` : `${result.status}${result.code ? ` ${result.code}` : ''}`;
    const counts = this.byRoute.get(route) ?? new Map<string, number>();
    counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
    this.byRoute.set(route, counts);
    this.total += 1;
    if (result.status < 500) return;
    if (isDocumented(path, result)) {
      this.documented503 += 1;
      return;
    }
    if (isPassedOn(path, result)) {
      const key = `${route} ${result.status} ${result.code}`;
      this.passedOn.set(key, (this.passedOn.get(key) ?? 0) + 1);
      return;
    }
    this.undocumented5xx += 1;
    const message = typeof result.body?.message === 'string' ? `: ${result.body.message}` : '';
    this.#violations.record('api-5xx', `${route} answered ${result.status} ${result.code ?? '(no code)'}${message}`, { key: `${route} ${result.status} ${result.code}` });
  };

  summary(): Record<string, Record<string, number>> {
    return Object.fromEntries([...this.byRoute].map(([route, counts]) => [route, Object.fromEntries(counts)]));
  }
}
