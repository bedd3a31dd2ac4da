/**
 * The control channel: how tests and benchmarks switch faults and session states. It is no part
 * of the IBKR surface, so it lives on its own plain-HTTP port, loopback only, behind a bearer
 * token compared in constant time (a token mismatch must not leak its length or prefix).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { SimContext } from './context.js';
import { json, readBody, send, type Reply } from './http-io.js';
import type { ControlConfig } from './sim-config.js';

type ControlHandler = (body: Record<string, any>, ctx: SimContext) => Reply;

export function tokenMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '';
  // Hash both sides so the comparison takes the same time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return token !== '' && timingSafeEqual(a, b);
}

const on = (body: Record<string, any>): boolean => body.on !== false;

export function stateOf(ctx: SimContext): Record<string, unknown> {
  const now = ctx.now();
  return {
    pid: process.pid,
    session: ctx.session.describe(),
    faults: ctx.faults.state,
    counters: Object.fromEntries(ctx.counters),
    ...ctx.users.describe(),
    ...ctx.flow.describe(),
    penaltyBox: ctx.limiter.penaltyBox(now),
    rateLimits: ctx.limiter.stats(),
    memory: { rssMb: Math.round(process.memoryUsage().rss / 1048576) },
  };
}

function answerPush(ctx: SimContext, answer: 'approved' | 'denied', b: Record<string, any>): Reply {
  const username = ctx.flow.answerPush(answer, b.username ? String(b.username) : undefined);
  return username ? json(200, { [answer]: username }) : json(409, { error: 'no push notification is waiting' });
}

/** Routes answer after the change is made, so a test can act on the next line. */
export function controlRoutes(exit: (code: number) => void): Record<string, ControlHandler> {
  return {
    'GET /state': (_b, ctx) => json(200, stateOf(ctx)),
    'POST /fault/crash': (b) => {
      const code = Number.isInteger(b.code) ? b.code : 1;
      // Exit once the answer has left, so the caller is not left guessing whether it was heard.
      setImmediate(() => exit(code));
      return json(200, { crashing: true, code });
    },
    'POST /fault/hang': (b, ctx) => json(200, { hang: (ctx.faults.state.hang = on(b)) }),
    'POST /fault/slow': (b, ctx) => json(200, { slowMs: (ctx.faults.state.slowMs = Math.max(0, Number(b.ms) || 0)) }),
    'POST /fault/unreachable': (b, ctx) => json(200, { unreachable: (ctx.faults.state.unreachable = on(b)) }),
    'POST /fault/maintenance': (b, ctx) => {
      const status = Number.isInteger(b.status) && b.status >= 500 && b.status <= 599 ? b.status : 503;
      ctx.faults.state.maintenance = { on: on(b), status };
      return json(200, ctx.faults.state.maintenance);
    },
    'POST /fault/memory': (b, ctx) => {
      ctx.faults.setMemory(Math.max(0, Math.floor(Number(b.mb) || 0)));
      return json(200, { memoryMb: ctx.faults.state.memoryMb, rssMb: Math.round(process.memoryUsage().rss / 1048576) });
    },
    'POST /session/login': (b, ctx) => {
      const user = b.username ? ctx.users.find(String(b.username)) : ctx.sim.users[0];
      if (!user) return json(404, { error: `no user ${b.username}` });
      ctx.session.login(user, b.immediate !== false);
      ctx.marketData.clear();
      return json(200, stateOf(ctx).session);
    },
    // The "device": IB Key's answer to the newest waiting push (of `username`, or anyone's).
    'POST /session/approve': (b, ctx) => answerPush(ctx, 'approved', b),
    'POST /session/deny': (b, ctx) => answerPush(ctx, 'denied', b),
    'POST /session/expire': (_b, ctx) => {
      ctx.session.drop('expired-by-control');
      return json(200, stateOf(ctx).session);
    },
    'POST /session/drop-brokerage': (_b, ctx) =>
      ctx.session.setBrokerage('none') ? json(200, stateOf(ctx).session) : json(409, { error: 'no session' }),
    'POST /session/compete': (_b, ctx) =>
      ctx.session.setBrokerage('competing') ? json(200, stateOf(ctx).session) : json(409, { error: 'no session' }),
    'POST /users/unlock': (b, ctx) => {
      ctx.users.unlock(b.username ? String(b.username) : undefined);
      return json(200, ctx.users.describe());
    },
    'POST /reset': (_b, ctx) => {
      ctx.faults.reset();
      ctx.limiter.clear();
      return json(200, stateOf(ctx));
    },
  };
}

export class ControlServer {
  readonly server: Server;

  constructor(private readonly ctx: SimContext, private readonly config: ControlConfig, exit: (code: number) => void) {
    const routes = controlRoutes(exit);
    this.server = createServer((req, res) => {
      this.handle(req, routes).then(
        (reply) => send(res, reply),
        (err: Error) => send(res, json(400, { error: err.message })),
      );
    });
  }

  private async handle(req: IncomingMessage, routes: Record<string, ControlHandler>): Promise<Reply> {
    if (!tokenMatches(req.headers.authorization, this.config.token)) return json(401, { error: 'missing or invalid bearer token' });
    const raw = await readBody(req);
    const body = raw.trim() === '' ? {} : JSON.parse(raw);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return json(400, { error: 'body must be a JSON object' });
    const path = new URL(req.url ?? '/', 'http://control').pathname;
    const handler = routes[`${req.method} ${path}`];
    return handler ? handler(body, this.ctx) : json(404, { error: `no route ${req.method} ${path}` });
  }

  /** Loopback only: the channel can crash the process and log anyone in. */
  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.port, '127.0.0.1', () => resolve());
    });
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** `gatewayPort` is added once the gateway listens (tests start it with --port 0). */
  writeInfo(port: number, gatewayPort: number | null): void {
    const info = { port, token: this.config.token, pid: process.pid, ...(gatewayPort === null ? {} : { gatewayPort }) };
    // Temp + rename: a test polling the file never reads half of it, and the mode is always 0600.
    const temp = `${this.config.infoFile}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(info) + '\n', { mode: 0o600 });
    renameSync(temp, this.config.infoFile);
  }

  close(): void {
    this.server.close();
    this.server.closeAllConnections();
  }
}
