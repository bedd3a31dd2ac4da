import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ERR_LOCKED_OUT, ERR_UNAUTHORIZED } from '../../errors.js';
import type { EventSink } from '../../events.js';

export interface AdminAuthOptions {
  token: string;
  maxFailures: number;
  failureWindowMs: number;
  lockoutMs: number;
  onEvent?: EventSink;
  now?: () => number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler for routes that change anything: bearer admin token required. */
    requireAdmin: (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
}

/** Hashing both sides first gives equal-length buffers, so timingSafeEqual never throws and length leaks nothing. */
function sameToken(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

interface FailureRecord { times: number[]; lockedUntil: number }

async function adminAuth(app: FastifyInstance, options: AdminAuthOptions): Promise<void> {
  const now = options.now ?? Date.now;
  const failures = new Map<string, FailureRecord>();

  const sweep = setInterval(() => {
    const t = now();
    for (const [ip, rec] of failures) {
      if (rec.lockedUntil < t && rec.times.every((x) => t - x > options.failureWindowMs)) failures.delete(ip);
    }
  }, Math.max(1000, options.failureWindowMs));
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));

  app.decorate('requireAdmin', async (request: FastifyRequest, reply: FastifyReply) => {
    const ip = request.ip;
    const t = now();
    const rec = failures.get(ip);
    if (rec && rec.lockedUntil > t) {
      // Even a correct token is refused while locked: otherwise the lockout would not slow a guesser down.
      const seconds = Math.ceil((rec.lockedUntil - t) / 1000);
      reply.header('retry-after', String(seconds));
      throw ERR_LOCKED_OUT(ip, seconds);
    }
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match && sameToken(match[1], options.token)) {
      failures.delete(ip);
      return;
    }
    const record = rec ?? { times: [], lockedUntil: 0 };
    record.times = record.times.filter((x) => t - x <= options.failureWindowMs);
    record.times.push(t);
    const locked = record.times.length >= options.maxFailures;
    if (locked) {
      record.lockedUntil = t + options.lockoutMs;
      record.times = [];
    }
    failures.set(ip, record);
    const reason = header ? 'invalid token' : 'missing token';
    request.log.warn({ ip, method: request.method, url: request.url, reason, locked }, 'admin authentication failed');
    options.onEvent?.({
      type: locked ? 'api.auth.lockout' : 'api.auth.failure',
      level: 'warn',
      message: locked ? `admin authentication locked out ${ip} for ${options.lockoutMs} ms after repeated failures` : `admin authentication failed from ${ip}: ${reason}`,
      data: { ip, method: request.method, url: request.url.split('?')[0], reason },
    });
    throw ERR_UNAUTHORIZED();
  });
}

export default fp(adminAuth, { name: 'ibgw-admin-auth' });
