import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * What a caller's token must allow for a route. `admin` is everything (the operator's token);
 * `read` and `trade` are what app tokens carry. Routes without a scope answer anyone.
 */
export type Scope = 'admin' | 'trade' | 'read';

export type ScopedHandler = ((request: FastifyRequest, reply: FastifyReply) => Promise<void>) & { readonly [SCOPE]?: Scope };

const SCOPE = Symbol('ibgw.scope');

/** Marks a preHandler with the scope it checks, so the OpenAPI document can say it. */
export function withScope<T extends (request: FastifyRequest, reply: FastifyReply) => Promise<void>>(handler: T, scope: Scope): T & ScopedHandler {
  Object.defineProperty(handler, SCOPE, { value: scope, enumerable: false });
  return handler as T & ScopedHandler;
}

/** The scope a route's preHandler(s) check, or null for an open route. */
export function scopeOf(preHandler: unknown): Scope | null {
  const handlers = Array.isArray(preHandler) ? preHandler : [preHandler];
  for (const h of handlers) {
    const scope = (h as ScopedHandler | undefined)?.[SCOPE];
    if (scope) return scope;
  }
  return null;
}
