/**
 * The notification receiver the soak's channel posts to: it checks each request's signature,
 * keeps every idempotency key with the times it arrived, and can go down (connections refused)
 * and come back on the same port — the "notification receiver down" fault.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify } from '../daemon/notify/signature.js';

export interface Receipt {
  key: string;
  rule: string | null;
  kind: string;
  /** A digest's items: the rules of the notifications it replaced (held in quiet hours or a quiet window). */
  itemRules: Array<string | null>;
  /** Date.now() of each arrival with a 2xx answer. */
  arrivals: number[];
}

export class WebhookReceiver {
  port = 0;
  /** Deliveries by idempotency key. */
  readonly receipts = new Map<string, Receipt>();
  /** Requests refused for a bad signature or a missing key: each one is a finding. */
  readonly refused: Array<{ at: number; why: string }> = [];
  readonly #secret: string;
  #server: Server | null = null;
  readonly #sockets = new Set<Socket>();
  #downSince: number | null = null;

  constructor(secret: string) {
    this.#secret = secret;
  }

  get isDown(): boolean {
    return this.#downSince !== null;
  }

  async start(port = 0): Promise<void> {
    const server = createServer((req, res) => this.#handle(req, res));
    server.on('connection', (s) => {
      this.#sockets.add(s);
      s.once('close', () => this.#sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.#server = server;
    this.port = (server.address() as { port: number }).port;
    this.#downSince = null;
  }

  /** Stop listening and drop open connections: the daemon's attempts are refused. */
  async down(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = null;
    this.#downSince = Date.now();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const s of this.#sockets) s.destroy();
    await closed;
  }

  /** Listen again on the same port. */
  async up(): Promise<void> {
    if (this.#server) return;
    await this.start(this.port);
  }

  async close(): Promise<void> {
    await this.down();
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const key = req.headers[IDEMPOTENCY_HEADER] as string | undefined;
      const signature = verify(this.#secret, {
        signature: req.headers[SIGNATURE_HEADER] as string | undefined,
        timestamp: req.headers[TIMESTAMP_HEADER] as string | undefined,
      }, body, Math.floor(Date.now() / 1000));
      if (signature !== 'ok' || !key) {
        this.refused.push({ at: Date.now(), why: !key ? 'no idempotency key' : `signature ${signature}` });
        res.writeHead(401).end('no');
        return;
      }
      let json: any = null;
      try { json = JSON.parse(body); } catch { /* counted below */ }
      const items = Array.isArray(json?.items) ? (json.items as Array<{ rule?: string | null }>) : [];
      const receipt: Receipt = this.receipts.get(key) ?? { key, rule: json?.rule ?? null, kind: json?.kind ?? 'unknown', itemRules: items.map((i) => i.rule ?? null), arrivals: [] };
      receipt.arrivals.push(Date.now());
      this.receipts.set(key, receipt);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  }
}
