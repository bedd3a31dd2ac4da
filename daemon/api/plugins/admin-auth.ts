import { createHash, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ERR_AUTH_THROTTLED, ERR_UNAUTHORIZED } from '../../errors.js';
import type { EventSink } from '../../events.js';
import { AuthFailures, type BurstReport, type FailureVerdict } from '../auth-failures.js';
import { allows, ForbiddenReporter, type Principal } from '../scope-check.js';
import type { AppToken } from '../../tokens/app-tokens.js';

/** App tokens (daemon/tokens): who holds the token with this digest, or null. */
export interface AppTokenVerifier {
  verify(offered: Buffer, from: string): AppToken | null;
}

export interface AdminAuthOptions {
  token: string;
  /** Failed checks per source address within the window answered 401 (slowly); beyond, 429. */
  maxFailures: number;
  failureWindowMs: number;
  /** Delay before the first 401 of a source; doubles with each further failure in the window. */
  failureDelayMs: number;
  /** App tokens besides the admin's; absent: the admin token only. */
  appTokens?: AppTokenVerifier | null;
  onEvent?: EventSink;
  now?: () => number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler for routes that change anything: bearer admin token required. */
    requireAdmin: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
    /** Who holds the bearer token (admin or app); a missing or wrong token fails as requireAdmin does. */
    authenticate: (request: FastifyRequest, reply: FastifyReply) => Promise<Principal>;
    /** Refuses a valid app token on a route its scope does not cover (403, reported). */
    forbid: ForbiddenReporter;
    /**
     * Refuses a request whose credentials failed another check (the UI session's CSRF header)
     * the way a wrong token is refused: counted for its address, reported, held, then `error`
     * is thrown (429 past the limit).
     */
    authFailure: (request: FastifyRequest, reply: FastifyReply, reason: string, error?: Error) => Promise<never>;
  }
  interface FastifyRequest {
    /** Set once the bearer token was checked. */
    principal: Principal | null;
  }
}

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/**
 * Bearer tokens: the admin's (everything) and app tokens (a scope each, route-scope.ts).
 * A valid token is always accepted, whatever the source did before: on a loopback-only API
 * every local app and the admin's CLI share 127.0.0.1, so refusing the address would let one
 * app with a stale token lock the admin out. Guessing is made infeasible by the token (256
 * random bits), and visible and cheap to us by what happens to failures.
 *
 * No timing oracle: every request takes the same path to the verdict — the offered token
 * (or '' when there is none) is hashed and compared to the expected digest in constant
 * time, before anything about the source is looked up. What happens after a failure (the
 * delay, the 429) depends only on the source's own failure count, never on the guess.
 */
async function adminAuth(app: FastifyInstance, options: AdminAuthOptions): Promise<void> {
  const expected = digest(options.token);
  const now = options.now ?? Date.now;
  const failures = new AuthFailures({ maxFailures: options.maxFailures, windowMs: options.failureWindowMs, firstDelayMs: options.failureDelayMs, now });
  const emit = options.onEvent ?? (() => {});
  // Held failure answers end early when the API closes: a shutdown never waits on them.
  const closing = new AbortController();

  const burstOver = (b: BurstReport) => {
    app.log.info({ failures: b.failures, limited: b.limited, sources: b.sources }, 'admin authentication failure burst over');
    emit({
      type: 'api.auth.burst-end', level: 'info',
      message: `admin authentication failure burst over: ${b.failures} failures (${b.limited} answered 429) from ${b.sources.length + b.otherSources} address(es)`,
      data: { ...b, startedAt: new Date(b.startedAt).toISOString(), lastAt: new Date(b.lastAt).toISOString() },
    });
  };

  const sweep = setInterval(() => {
    const ended = failures.sweep();
    if (ended) burstOver(ended);
  }, Math.min(Math.max(1000, options.failureWindowMs), 60_000));
  sweep.unref();
  app.addHook('preClose', async () => closing.abort());
  app.addHook('onClose', async () => clearInterval(sweep));

  const report = (request: FastifyRequest, v: FailureVerdict, reason: string) => {
    if (v.burstEnded) burstOver(v.burstEnded);
    const ip = request.ip;
    const url = request.url.split('?')[0];
    if (v.burstStarted) {
      const b = v.burstStarted;
      const names = b.sources.map((s) => s.address).join(', ');
      app.log.warn({ sources: b.sources, failures: b.failures }, 'admin authentication failure burst');
      emit({
        type: 'api.auth.burst', level: 'warn',
        message: `burst of failed admin authentications: ${b.failures} within ${options.failureWindowMs / 1000} s from ${names}${b.otherSources ? ` and ${b.otherSources} more` : ''}`,
        data: { sources: b.sources, otherSources: b.otherSources, failures: b.failures, startedAt: new Date(b.startedAt).toISOString() },
      });
    }
    if (v.limited) {
      // One line when a source goes over its limit; what follows is counted into the burst
      // report: an event per attempt would let a flood push everything else out of the store.
      if (v.newlyLimited) request.log.warn({ ip, method: request.method, url, reason, retryAfterMs: v.retryAfterMs }, 'admin authentication failures over the limit: answering 429');
      return;
    }
    request.log.warn({ ip, method: request.method, url, reason, failures: v.failures }, 'admin authentication failed');
    emit({
      type: 'api.auth.failure', level: 'warn',
      message: `admin authentication failed from ${ip}: ${reason}`,
      data: { ip, method: request.method, url, reason, failures: v.failures },
    });
  };

  const forbid = new ForbiddenReporter(emit, now);
  app.decorate('forbid', forbid);
  app.decorateRequest('principal', null);

  const authFailure = async (request: FastifyRequest, reply: FastifyReply, reason: string, error: Error = ERR_UNAUTHORIZED()): Promise<never> => {
    const verdict = failures.fail(request.ip);
    report(request, verdict, reason);
    if (verdict.limited) {
      const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
      reply.header('retry-after', String(seconds));
      throw ERR_AUTH_THROTTLED(request.ip, seconds);
    }
    await sleep(verdict.delayMs, undefined, { signal: closing.signal }).catch(() => {});
    throw error;
  };
  app.decorate('authFailure', authFailure);

  const authenticate = async (request: FastifyRequest, reply: FastifyReply): Promise<Principal> => {
    const header = request.headers.authorization;
    const offered = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] ?? null;
    const offeredDigest = digest(offered ?? '');
    // Both checks run for every offered token, each in constant time: which of them matched,
    // or how nearly, does not show in how long the answer takes.
    const isAdmin = timingSafeEqual(offeredDigest, expected) && offered !== null;
    const appToken = offered !== null ? options.appTokens?.verify(offeredDigest, request.ip) ?? null : null;
    if (isAdmin) return (request.principal = { kind: 'admin' });
    if (appToken) return (request.principal = { kind: 'app', id: appToken.id, name: appToken.name, scope: appToken.scope });
    return authFailure(request, reply, header === undefined ? 'missing token' : 'invalid token');
  };
  app.decorate('authenticate', authenticate);

  app.decorate('requireAdmin', async (request: FastifyRequest, reply: FastifyReply) => {
    const principal = await authenticate(request, reply);
    if (principal.kind === 'app' && !allows(principal, 'admin')) throw forbid.refuse(request, principal, 'admin');
  });
}

export default fp(adminAuth, { name: 'ibgw-admin-auth' });
