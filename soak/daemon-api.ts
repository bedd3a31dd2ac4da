/**
 * The daemon's API as the soak's apps, checkers and faults use it. Every answer is shown to
 * the observers (the 5xx invariant, the request counters) before the caller sees it, so no
 * call escapes the "no 5xx except the documented 503s" check.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, type CallResult } from './http-call.js';

export type ApiObserver = (method: string, path: string, result: CallResult) => void;

export interface ApiCallOptions {
  admin?: boolean;
  body?: unknown;
  timeoutMs?: number;
}

export class DaemonApi {
  readonly baseUrl: string;
  readonly #dataDir: string;
  readonly #observers: ApiObserver[] = [];
  #token: string | null = null;

  constructor(port: number, dataDir: string) {
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.#dataDir = dataDir;
  }

  observe(observer: ApiObserver): void {
    this.#observers.push(observer);
  }

  /** The token the daemon generated on its first start (<dataDir>/admin-token). */
  adminToken(): string {
    this.#token ??= readFileSync(join(this.#dataDir, 'admin-token'), 'utf8').trim();
    return this.#token;
  }

  async request(method: string, path: string, options: ApiCallOptions = {}): Promise<CallResult> {
    const headers: Record<string, string> = {};
    if (options.admin) headers.authorization = `Bearer ${this.adminToken()}`;
    const result = await call(this.baseUrl + path, { method, headers, body: options.body, timeoutMs: options.timeoutMs ?? 10_000 });
    for (const observer of this.#observers) observer(method, path, result);
    return result;
  }

  get(path: string, options: ApiCallOptions = {}): Promise<CallResult> {
    return this.request('GET', path, options);
  }

  post(path: string, body: unknown = {}, options: ApiCallOptions = {}): Promise<CallResult> {
    return this.request('POST', path, { admin: true, ...options, body });
  }

  /** The status, or null while the daemon does not answer. */
  async status(): Promise<any | null> {
    const r = await this.get('/api/v1/status', { timeoutMs: 5_000 });
    return r.status === 200 ? r.body : null;
  }
}
