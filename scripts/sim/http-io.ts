/**
 * Raw request/answer plumbing shared by the gateway port and the control channel. Answers are
 * written by hand (no framework) because the gateway's own answers are odd in ways a framework
 * would "fix": a 404 with no Content-Type, requests that are never answered, and so on.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** A string or Buffer is sent as is (with no Content-Type unless headers name one); anything else as JSON. */
  body?: unknown;
}

/** A route's way of saying "leave this request unanswered" (IBKR unreachable, a hung gateway). */
export const NEVER = Symbol('never');
export type RouteResult = Reply | typeof NEVER;

export interface SimRequest {
  method: string;
  /** Full path, e.g. /v1/api/tickle. */
  path: string;
  /** Path below /v1/api or /v1/portal (e.g. /tickle); null outside the API. */
  apiPath: string | null;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  /** Client address as the gateway sees it (IPv4-mapped IPv6 unwrapped). */
  peer: string;
}

export const json = (status: number, body: unknown): Reply => ({ status, body });
export const text = (status: number, body: string, contentType = 'text/plain; charset=utf-8'): Reply => ({
  status,
  headers: { 'content-type': contentType },
  body,
});
export const html = (status: number, body: string): Reply => text(status, body, 'text/html; charset=utf-8');
/** IBKR's 401 for a missing session carries no body. */
export const unauthorized = (): Reply => ({ status: 401, body: '' });

export function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.writableEnded) return;
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  let payload: Buffer;
  if (typeof reply.body === 'string' || Buffer.isBuffer(reply.body)) payload = Buffer.from(reply.body);
  else if (reply.body === undefined || reply.body === null) payload = Buffer.alloc(0);
  else {
    payload = Buffer.from(JSON.stringify(reply.body));
    headers['content-type'] ??= 'application/json;charset=utf-8';
  }
  headers['content-length'] = String(payload.length);
  res.writeHead(reply.status, headers);
  res.end(payload);
}

/** Bodies are small forms and JSON; anything bigger than this is refused rather than buffered. */
const MAX_BODY = 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Form fields from either a urlencoded form (the login page) or a JSON body (scripts). */
export function formFields(req: SimRequest): Record<string, string> {
  const type = String(req.headers['content-type'] ?? '');
  if (type.includes('application/json')) {
    try {
      const parsed = JSON.parse(req.body || '{}') as Record<string, unknown>;
      return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(req.body));
}
