/**
 * The TWS simulator's control channel: faults and the second-factor approval, for tests and
 * benchmarks. Same shape as the Client Portal simulator's (plain HTTP on loopback, bearer token
 * compared in constant time, an info file written atomically with mode 0600).
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tokenMatches } from '../control.js';
import { json, readBody, send, type Reply } from '../http-io.js';
import type { GatewayState } from './gateway-state.js';
import { LOGIN_FAULTS, loginFaultFile, type LoginFault } from './login.js';
import { FARMS, NOTICE, type FarmName } from './messages.js';

type Handler = (body: Record<string, any>, gw: GatewayState) => Reply;

const on = (body: Record<string, any>): boolean => body.on !== false;

export function twsControlRoutes(exit: (code: number) => void): Record<string, Handler> {
  return {
    'GET /state': (_b, gw) => json(200, gw.describe()),
    'POST /fault/crash': (b) => {
      const code = Number.isInteger(b.code) ? b.code : 1;
      setImmediate(() => exit(code));
      return json(200, { crashing: true, code });
    },
    'POST /fault/hang': (b, gw) => json(200, { hang: (gw.faults.hang = on(b)) }),
    'POST /fault/unreachable': (b, gw) => {
      gw.setUnreachable(on(b), b.dataLost === true);
      return json(200, { unreachable: gw.faults.unreachable });
    },
    'POST /fault/farm': (b, gw) => {
      if (!(b.farm in FARMS)) return json(400, { error: `farm must be one of ${Object.keys(FARMS).join(', ')}` });
      gw.setFarm(b.farm as FarmName, b.ok !== false);
      return json(200, { farms: gw.farms });
    },
    'POST /fault/server-broken': (_b, gw) => {
      gw.broadcast(NOTICE.serverBroken.code, NOTICE.serverBroken.text);
      return json(200, { sent: NOTICE.serverBroken.code });
    },
    // IBC's login outcomes at the next starts (this process is logged in already).
    'POST /fault/login': (b, gw) => {
      const file = loginFaultFile(gw.settingsDir);
      if (b.fault === null || b.fault === undefined) rmSync(file, { force: true });
      else if (LOGIN_FAULTS.includes(b.fault as LoginFault)) writeFileSync(file, String(b.fault));
      else return json(400, { error: `fault must be null or one of ${LOGIN_FAULTS.join(', ')}` });
      return json(200, { nextLogin: b.fault ?? null });
    },
    'POST /login/approve': (_b, gw) => {
      if (!gw.approveSecondFactor) return json(409, { error: 'no second factor is waiting' });
      gw.approveSecondFactor();
      return json(200, { approved: true });
    },
    'POST /reset': (_b, gw) => {
      gw.faults.hang = false;
      gw.setUnreachable(false, false);
      for (const farm of Object.keys(FARMS) as FarmName[]) if (!gw.farms[farm]) gw.setFarm(farm, true);
      return json(200, gw.describe());
    },
  };
}

export interface TwsControlConfig {
  port: number;
  token: string;
  infoFile: string;
}

export class TwsControlServer {
  readonly server: Server;
  #port = 0;

  constructor(private readonly gw: GatewayState, private readonly config: TwsControlConfig, exit: (code: number) => void) {
    const routes = twsControlRoutes(exit);
    this.server = createServer((req, res) => {
      this.#handle(req, routes).then((reply) => send(res, reply), (err: Error) => send(res, json(400, { error: err.message })));
    });
  }

  async #handle(req: IncomingMessage, routes: Record<string, Handler>): Promise<Reply> {
    if (!tokenMatches(req.headers.authorization, this.config.token)) return json(401, { error: 'missing or invalid bearer token' });
    const raw = await readBody(req);
    const body = raw.trim() === '' ? {} : JSON.parse(raw);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return json(400, { error: 'body must be a JSON object' });
    const path = new URL(req.url ?? '/', 'http://control').pathname;
    const handler = routes[`${req.method} ${path}`];
    return handler ? handler(body, this.gw) : json(404, { error: `no route ${req.method} ${path}` });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.port, '127.0.0.1', () => resolve());
    });
    const address = this.server.address();
    this.#port = typeof address === 'object' && address ? address.port : 0;
    this.writeInfo();
  }

  /** `{port, token, pid, apiPort, commandPort}`; rewritten when the API port opens. */
  writeInfo(): void {
    const info = { port: this.#port, token: this.config.token, pid: process.pid, apiPort: this.gw.apiPort, commandPort: this.gw.commandPort };
    const temp = `${this.config.infoFile}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(info) + '\n', { mode: 0o600 });
    renameSync(temp, this.config.infoFile);
  }

  close(): void {
    this.server.close();
    this.server.closeAllConnections();
  }
}
