/**
 * Who called (the admin, or an app with its token's scope) and what that allows. A valid token
 * without the scope a route needs is a 403, not a 401: the token is fine, the route is not for
 * it. Such refusals are logged and recorded, at most once a minute per token and route, so an
 * app stuck retrying cannot push the rest out of the event store.
 */
import type { FastifyRequest } from 'fastify';
import { ERR_FORBIDDEN, type IbgwError } from '../errors.js';
import type { EventSink } from '../events.js';
import type { Scope } from './route-scope.js';
import type { TokenScope } from '../tokens/app-tokens.js';

export type Principal = { kind: 'admin' } | { kind: 'app'; id: string; name: string; scope: TokenScope };

export function allows(principal: Principal, scope: Scope): boolean {
  if (principal.kind === 'admin') return true;
  if (scope === 'admin') return false;
  return scope === 'read' || principal.scope === 'trade';
}

const REPORT_EVERY_MS = 60_000;
/** Reports remembered at most; older ones are forgotten first. */
const MAX_REMEMBERED = 1000;

export class ForbiddenReporter {
  readonly #last = new Map<string, number>();

  constructor(private readonly onEvent: EventSink, private readonly now: () => number = Date.now) {}

  refuse(request: FastifyRequest, principal: Extract<Principal, { kind: 'app' }>, needed: Scope): IbgwError {
    const route = `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`;
    const key = `${principal.id} ${route}`;
    const t = this.now();
    if (t - (this.#last.get(key) ?? 0) >= REPORT_EVERY_MS) {
      this.#last.delete(key);
      this.#last.set(key, t);
      if (this.#last.size > MAX_REMEMBERED) this.#last.delete(this.#last.keys().next().value!);
      request.log.warn({ token: principal.name, tokenId: principal.id, scope: principal.scope, needed, route, ip: request.ip }, 'token scope refused');
      this.onEvent({
        type: 'api.auth.forbidden', level: 'warn',
        message: `app token ${principal.name} (scope ${principal.scope}) refused for ${route}: needs ${needed}`,
        data: { tokenId: principal.id, token: principal.name, scope: principal.scope, needed, route, ip: request.ip },
      });
    }
    return ERR_FORBIDDEN(principal.scope, route);
  }
}
