/**
 * The soak's direct lines to the gateway, beside the daemon: a brokerage call verified with the
 * daemon's CA (what an app does today), the login form (the login stand-in), a flood (the 429
 * storm), and the simulator's control channel (found through the info file it writes into the
 * gateway home at every start).
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { call, type CallResult } from './http-call.js';

export class GatewayAccess {
  readonly baseUrl: string;
  readonly #dataDir: string;
  readonly #account: string;
  #agent: Agent | null = null;
  #ca = '';

  constructor(dataDir: string, port: number, account: string) {
    this.#dataDir = dataDir;
    this.baseUrl = `https://127.0.0.1:${port}`;
    this.#account = account;
  }

  /** Verified with <dataDir>/tls/ca.pem, re-read when it changes (a new CA after a renewal). */
  #tls(): Agent {
    const ca = readFileSync(join(this.#dataDir, 'tls', 'ca.pem'), 'utf8');
    if (!this.#agent || ca !== this.#ca) {
      this.#agent?.destroy();
      this.#ca = ca;
      this.#agent = new Agent({ ca, keepAlive: false, servername: 'localhost' });
    }
    return this.#agent;
  }

  async #https(path: string, options: { method?: string; body?: unknown; timeoutMs?: number } = {}): Promise<CallResult> {
    let agent: Agent;
    try {
      agent = this.#tls();
    } catch (err) {
      return { status: 0, body: null, text: '', code: null, error: `no CA: ${(err as NodeJS.ErrnoException).code ?? err}`, ms: 0 };
    }
    return call(this.baseUrl + path, { ...options, agent, timeoutMs: options.timeoutMs ?? 5_000 });
  }

  /** A portfolio call: needs the brokerage session (401 without it). */
  brokerage(timeoutMs = 5_000): Promise<CallResult> {
    return this.#https(`/v1/api/portfolio/${this.#account}/positions/0`, { timeoutMs });
  }

  /** The login form, as a person at the browser submits it. */
  login(username: string, password: string): Promise<CallResult> {
    return this.#https('/sso/Login', { method: 'POST', body: { username, password, mode: 'paper' }, timeoutMs: 10_000 });
  }

  /** `count` calls at once: far over IBKR's 10/s, so the address lands in the penalty box. */
  async flood(count: number): Promise<number[]> {
    const results = await Promise.all(Array.from({ length: count }, () => this.#https('/v1/api/iserver/accounts', { timeoutMs: 5_000 })));
    return results.map((r) => r.status);
  }

  /** The simulator's control channel; status 0 when it is not up (between two gateway runs). */
  async control(method: string, path: string, body: unknown = undefined): Promise<CallResult> {
    let info: { port: number; token: string };
    try {
      info = JSON.parse(readFileSync(join(this.#dataDir, 'gateway', 'sim-control.json'), 'utf8'));
    } catch (err) {
      return { status: 0, body: null, text: '', code: null, error: `no control info: ${(err as Error).message}`, ms: 0 };
    }
    return call(`http://127.0.0.1:${info.port}${path}`, { method, body, headers: { authorization: `Bearer ${info.token}` }, timeoutMs: 5_000 });
  }
}
