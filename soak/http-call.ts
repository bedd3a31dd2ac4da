/**
 * One HTTP(S) request with its own timeout, answered as data: a status, the parsed body, the
 * catalog error code, or the network error — never a throw. Everything the soak sends (apps,
 * checkers, faults) goes through here, so every answer can be classified.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, Agent } from 'node:https';

export interface CallResult {
  /** 0 when no HTTP answer came (refused, reset, timeout). */
  status: number;
  body: any;
  text: string;
  /** `code` of a JSON error answer (IBGW_…), if any. */
  code: string | null;
  /** The network error (ECONNREFUSED, ECONNRESET, TIMEOUT …) when status is 0. */
  error: string | null;
  ms: number;
}

export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  timeoutMs?: number;
  /** HTTPS: verify against this CA (the daemon's local CA). */
  agent?: Agent;
}

export function call(url: string, options: CallOptions = {}): Promise<CallResult> {
  const started = performance.now();
  const target = new URL(url);
  const payload = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const headers: Record<string, string> = { ...options.headers };
  if (payload !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: Omit<CallResult, 'ms'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...r, ms: performance.now() - started });
    };
    const req = send(target, { method: options.method ?? 'GET', headers, agent: options.agent, timeout: options.timeoutMs ?? 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err: NodeJS.ErrnoException) => done({ status: 0, body: null, text: '', code: null, error: err.code ?? err.message }));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: any = text;
        try { body = JSON.parse(text); } catch { /* not JSON */ }
        const code = body && typeof body === 'object' && typeof body.code === 'string' ? body.code : null;
        done({ status: res.statusCode ?? 0, body, text, code, error: null });
      });
    });
    req.on('timeout', () => {
      req.destroy();
      done({ status: 0, body: null, text: '', code: null, error: 'TIMEOUT' });
    });
    req.on('error', (err: NodeJS.ErrnoException) => done({ status: 0, body: null, text: '', code: null, error: err.code ?? err.message }));
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
