/**
 * The gateway port. Every request runs the same gauntlet, in the real gateway's order:
 * a hung gateway answers nothing; then the IP filter (after TLS, on the TCP peer address —
 * X-Forwarded-For is never read); then the IBKR side (unreachable, maintenance, pacing);
 * then the route. Only this file decides whether and when a request is answered.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { checkPeer, normalizePeer } from './allow-list.js';
import type { SimContext } from './context.js';
import { NEVER, readBody, send, text, type Reply, type RouteResult, type SimRequest } from './http-io.js';
import type { TlsMaterial } from './keystore.js';
import { authRoutes } from './routes/auth.js';
import { loginRoutes } from './routes/login.js';
import { portfolioRoutes } from './routes/portfolio.js';
import { matchRoute } from './routes/route.js';

const API_ROUTES = [...authRoutes, ...portfolioRoutes];
const API_BASES = ['/v1/api', '/v1/portal'];

function apiPathOf(path: string): string | null {
  for (const base of API_BASES) {
    if (path === base) return '/';
    if (path.startsWith(base + '/')) return path.slice(base.length);
  }
  return null;
}

/** Vert.x's answer when the IP filter throws (a bare "*" entry). */
const BROKEN: Reply = text(500, 'Internal Server Error');
/** Exactly 13 bytes and no Content-Type, as the real gateway sends it. */
const ACCESS_DENIED: Reply = { status: 404, body: 'Access Denied' };

export class GatewayServer {
  readonly server: Server;
  /** Requests deliberately left unanswered; destroyed on close so exit is prompt. */
  private readonly held = new Set<ServerResponse>();

  constructor(private readonly ctx: SimContext, tls: TlsMaterial | null) {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((err: Error) => {
        ctx.log.log('ERROR', 'RestHandler', `request failed: ${err.message}`);
        send(res, text(500, 'Internal Server Error'));
      });
    };
    this.server = tls
      ? createHttpsServer({ pfx: tls.pfx, passphrase: tls.passphrase, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }, handler)
      : createHttpServer(handler);
    // A request IBKR never answers must stay open as long as the client waits.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 60_000;
  }

  private hold(res: ServerResponse): void {
    this.held.add(res);
    res.on('close', () => this.held.delete(res));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { ctx } = this;
    const started = ctx.now();
    const peer = normalizePeer(req.socket.remoteAddress);
    // Prefix rather than resolve: a path like //x must not be read as a host name.
    const raw = req.url ?? '/';
    const url = new URL(raw.startsWith('/') ? `http://gateway${raw}` : raw, 'http://gateway');
    const finish = (result: RouteResult): void => {
      ctx.log.message(peer, req.method ?? '-', req.url ?? '/', result === NEVER ? '-' : result.status, ctx.now() - started);
      if (result === NEVER) this.hold(res);
      else send(res, result);
    };
    if (ctx.faults.state.hang) return finish(NEVER);
    const verdict = checkPeer(ctx.ipFilter, req.socket.remoteAddress);
    if (verdict !== 'allow') return finish(verdict === 'broken' ? BROKEN : ACCESS_DENIED);
    const body = await readBody(req);
    const result = await this.answer({
      method: req.method ?? 'GET',
      path: url.pathname,
      apiPath: apiPathOf(url.pathname),
      query: url.searchParams,
      headers: req.headers,
      body,
      peer,
    });
    const slowMs = ctx.faults.state.slowMs;
    if (slowMs > 0 && result !== NEVER) setTimeout(() => finish(result), slowMs);
    else finish(result);
  }

  private async answer(req: SimRequest): Promise<RouteResult> {
    const { ctx } = this;
    ctx.counters.set(req.path, (ctx.counters.get(req.path) ?? 0) + 1);
    if (req.apiPath !== null) {
      if (ctx.faults.state.unreachable) return NEVER;
      const { maintenance } = ctx.faults.state;
      if (maintenance.on) return text(maintenance.status, 'Service Unavailable - IBKR maintenance', 'text/html; charset=utf-8');
    }
    // The login page loads a dozen files and polls while a push waits; people log in through it
    // without ever meeting a 429, so its own requests stay out of the 10/s budget (not the box).
    const rate = ctx.limiter.hit(req.peer, req.apiPath, ctx.now(), !req.path.startsWith('/sso/'));
    if (!rate.ok) return text(429, 'Too Many Requests');
    if (req.apiPath === null) {
      const found = matchRoute(loginRoutes, req.method, req.path);
      return found ? found.route.handler(req, ctx, found.params) : text(404, `Unknown path ${req.path}`);
    }
    // Any API call made with a live login counts as activity for the idle timeout.
    ctx.session.touch();
    const found = matchRoute(API_ROUTES, req.method, req.apiPath);
    return found ? found.route.handler(req, ctx, found.params) : text(404, `Unknown path ${req.path}`);
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
  }

  port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  close(): void {
    for (const res of this.held) res.destroy();
    this.held.clear();
    this.server.close();
    this.server.closeAllConnections();
  }
}
