/**
 * The pass-through's connection to the gateway: node:https with a keep-alive agent that
 * verifies the gateway's certificate against the daemon's CA (never rejectUnauthorized:false:
 * apps hand their requests to whoever answers on the port otherwise). node:https rather than
 * undici: calls are paced at ~10 a second, so undici's throughput buys nothing, and its ~9 MB
 * of resident code would be a large share of the daemon's budget (bench/api.ts measures what
 * keep-alive itself saves: a TLS handshake per call).
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { gatewayTlsOptions } from '../tls/client-context.js';
import { performance } from 'node:perf_hooks';
import { ERR_GATEWAY_NETWORK, ERR_GATEWAY_TIMEOUT, ERR_IBKR_TOO_LARGE, IbgwError } from '../errors.js';

export const API_BASE = '/v1/api';

export interface UpstreamRequest {
  method: string;
  /** Path below /v1/api, already checked and canonical (gateway-path.ts). */
  path: string;
  /** Raw query string without '?', or ''. */
  query: string;
  body?: Buffer;
  contentType?: string;
  timeoutMs: number;
  maxBytes: number;
}

export interface UpstreamAnswer {
  status: number;
  contentType: string | null;
  body: Buffer;
  ms: number;
}

export interface UpstreamOptions {
  baseUrl: () => string;
  ca: () => Promise<string | null>;
  /** Open connections to the gateway at most; pacing keeps far fewer busy. */
  maxSockets?: number;
}

export class GatewayUpstream {
  readonly #options: UpstreamOptions;
  #agent: HttpsAgent | HttpAgent | null = null;
  #agentKey = '';

  constructor(options: UpstreamOptions) {
    this.#options = options;
  }

  /** Drop pooled connections and the CA: after a gateway restart the keystore may be new. */
  reset(): void {
    this.#agent?.destroy();
    this.#agent = null;
    this.#agentKey = '';
  }

  close(): void {
    this.reset();
  }

  async #agentFor(url: URL): Promise<HttpsAgent | HttpAgent> {
    const tls = url.protocol === 'https:';
    const ca = tls ? await this.#options.ca() : null;
    const key = `${url.protocol}${ca ?? ''}`;
    if (!this.#agent || key !== this.#agentKey) {
      this.#agent?.destroy();
      const common = { keepAlive: true, maxSockets: this.#options.maxSockets ?? 8, maxFreeSockets: 4 };
      this.#agent = tls ? new HttpsAgent({ ...common, ...gatewayTlsOptions(ca ?? null) }) : new HttpAgent(common);
      this.#agentKey = key;
    }
    return this.#agent;
  }

  /** One call, prepared and sent at once (tests, benches). */
  async request(req: UpstreamRequest, signal?: AbortSignal): Promise<UpstreamAnswer> {
    return (await this.prepare(req))(signal);
  }

  /**
   * Everything a call needs that may take time (the CA, the agent), done before it is sent:
   * the returned function sends at once. The pacer's permit is taken in between, so a call
   * reaches the gateway right after its slot, not after a file read of unknown length — the
   * gateway counts arrivals, and every delay between the two eats into the pacer's guard.
   */
  async prepare(req: UpstreamRequest): Promise<(signal?: AbortSignal) => Promise<UpstreamAnswer>> {
    const url = new URL(this.#options.baseUrl().replace(/\/+$/, '') + API_BASE + req.path + (req.query ? `?${req.query}` : ''));
    const agent = await this.#agentFor(url);
    return (signal) => this.#send(url, agent, req, signal);
  }

  async #send(url: URL, agent: HttpsAgent | HttpAgent, req: UpstreamRequest, signal?: AbortSignal): Promise<UpstreamAnswer> {
    const what = `${req.method} ${req.path}`;
    const started = performance.now();
    const abort = new AbortController();
    // With IBKR unreachable the real gateway never answers: every call ends by its own timeout.
    const timer = setTimeout(() => abort.abort(), req.timeoutMs);
    const onCallerAbort = () => abort.abort();
    signal?.addEventListener('abort', onCallerAbort, { once: true });
    try {
      const res = await send(url, req, agent, abort.signal).catch((err: Error & { reused?: boolean; code?: string }) => {
        // A kept-alive connection the gateway closed just as we reused it: it never read the
        // request, so sending it again on a fresh connection is safe (and costs IBKR nothing).
        if (err.reused && (err.code === 'ECONNRESET' || err.code === 'EPIPE') && !abort.signal.aborted) return send(url, req, agent, abort.signal);
        throw err;
      });
      const body = await readCapped(res, req.maxBytes, what);
      return { status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? null, body, ms: performance.now() - started };
    } catch (err) {
      if (err instanceof IbgwError) throw err;
      if (abort.signal.aborted) throw ERR_GATEWAY_TIMEOUT(what, req.timeoutMs);
      const message = describe(err);
      // A certificate error may mean the keystore was regenerated: read the CA again next time.
      if (/cert|self.signed|verify/i.test(message)) this.reset();
      const e = ERR_GATEWAY_NETWORK(what, message);
      e.cause = err;
      throw e;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onCallerAbort);
    }
  }
}

function send(url: URL, req: UpstreamRequest, agent: HttpsAgent | HttpAgent, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'user-agent': 'ibgw-supervisor', accept: 'application/json' };
    if (req.body) {
      headers['content-type'] = req.contentType ?? 'application/json';
      headers['content-length'] = String(req.body.length);
    }
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const r = request(url, { method: req.method, agent, signal, headers }, resolve);
    r.once('error', (err: Error & { reused?: boolean }) => { err.reused = r.reusedSocket; reject(err); });
    r.end(req.body);
  });
}

async function readCapped(res: IncomingMessage, max: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) {
      res.destroy();
      throw ERR_IBKR_TOO_LARGE(what, max);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.cause?.code ?? e?.code;
  const message = e?.cause?.message ?? e?.message ?? String(err);
  return code ? `${code}: ${message}` : message;
}
