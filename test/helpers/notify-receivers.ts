/**
 * Real receivers for the notification tests: an HTTP server that checks what a webhook
 * receiver must check (signature, timestamp, idempotency key, the Slack and Discord shapes),
 * and an SMTP server (smtp-server) that keeps what it was sent.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { verify } from '../../daemon/notify/signature.js';

export interface WebhookRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  signature: 'ok' | 'missing' | 'stale' | 'mismatch' | 'unsigned';
  key: string | undefined;
  /** First time this idempotency key was seen (a receiver processes only those). */
  fresh: boolean;
  at: number;
  status: number;
}

export interface WebhookReceiver {
  port: number;
  url: string;
  requests: WebhookRequest[];
  /** Keys processed once each (what a real receiver would act on). */
  processed: string[];
  /** Answer this status to the next requests (default 200). */
  answer(status: number | ((r: WebhookRequest) => number)): void;
  /** Hold the next request's answer until the returned function is called. */
  holdNext(): Promise<{ request: WebhookRequest; release: () => void }>;
  onRequest?: (r: WebhookRequest) => void;
  /** The answer body (default "ok" / "no"). */
  body?: (r: WebhookRequest) => string;
  close(): Promise<void>;
  /** Stop listening (connections refused), then listen again on the same port. */
  down(): Promise<void>;
  up(): Promise<void>;
}

export async function startWebhookReceiver(options: { secret?: string; port?: number } = {}): Promise<WebhookReceiver> {
  const requests: WebhookRequest[] = [];
  const processed: string[] = [];
  let status: number | ((r: WebhookRequest) => number) = 200;
  let holdWaiter: ((h: { request: WebhookRequest; release: () => void }) => void) | null = null;
  let server: Server;
  const receiver = {} as WebhookReceiver;
  const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try { json = JSON.parse(body); } catch { /* checked by the tests */ }
      const key = req.headers['idempotency-key'] as string | undefined;
      const signature = options.secret === undefined ? 'unsigned' : verify(options.secret, {
        signature: req.headers['x-ibgw-signature'] as string | undefined, timestamp: req.headers['x-ibgw-timestamp'] as string | undefined,
      }, body, Math.floor(Date.now() / 1000));
      const r: WebhookRequest = { path: req.url ?? '', headers: req.headers, body, json, signature, key, fresh: false, at: performance.now(), status: 0 };
      r.status = typeof status === 'function' ? status(r) : status;
      if (signature === 'mismatch' || signature === 'stale' || signature === 'missing') r.status = 401;
      const finish = () => {
        if (r.status >= 200 && r.status < 300 && key && !processed.includes(key)) {
          processed.push(key);
          r.fresh = true;
        }
        requests.push(r);
        receiver.onRequest?.(r);
        if (!res.destroyed) res.writeHead(r.status, { 'content-type': 'text/plain' }).end(receiver.body ? receiver.body(r) : r.status < 300 ? 'ok' : 'no');
      };
      if (holdWaiter) {
        const w = holdWaiter;
        holdWaiter = null;
        w({ request: r, release: finish });
      } else finish();
    });
  };
  const listen = (port: number) => new Promise<void>((resolve) => {
    server = createServer(handler);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  await listen(options.port ?? 0);
  const port = (server!.address() as AddressInfo).port;
  const stop = () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  Object.assign(receiver, {
    port, url: `http://127.0.0.1:${port}/hook`, requests, processed,
    answer: (s: typeof status) => { status = s; },
    holdNext: () => new Promise((resolve) => { holdWaiter = resolve; }),
    close: stop, down: stop, up: () => listen(port),
  });
  return receiver;
}

/** Slack incoming webhook: `text`, and blocks of known types within Slack's limits. */
export function slackProblems(json: any): string[] {
  const p: string[] = [];
  if (typeof json?.text !== 'string' || json.text.length === 0) p.push('text missing');
  if (!Array.isArray(json?.blocks) || json.blocks.length === 0 || json.blocks.length > 50) p.push('blocks');
  for (const b of json?.blocks ?? []) {
    if (!['header', 'section', 'context'].includes(b.type)) p.push(`block type ${b.type}`);
    if (b.type === 'header' && (b.text?.type !== 'plain_text' || b.text.text.length > 150)) p.push('header');
    if (b.type === 'section' && (b.text?.type !== 'mrkdwn' || !b.text.text || b.text.text.length > 3000)) p.push('section');
    if (b.type === 'context' && !Array.isArray(b.elements)) p.push('context');
  }
  return p;
}

/** Discord webhook: content or embeds; an embed's title ≤ 256, description ≤ 4096, color an integer. */
export function discordProblems(json: any): string[] {
  const p: string[] = [];
  if (!json?.content && !(Array.isArray(json?.embeds) && json.embeds.length > 0)) p.push('neither content nor embeds');
  if ((json?.embeds?.length ?? 0) > 10) p.push('more than 10 embeds');
  for (const e of json?.embeds ?? []) {
    if (typeof e.title !== 'string' || e.title.length > 256) p.push('title');
    if (typeof e.description !== 'string' || e.description.length > 4096) p.push('description');
    if (!Number.isInteger(e.color) || e.color < 0 || e.color > 0xffffff) p.push('color');
    if (e.timestamp !== undefined && Number.isNaN(Date.parse(e.timestamp))) p.push('timestamp');
  }
  if (!Array.isArray(json?.allowed_mentions?.parse) || json.allowed_mentions.parse.length !== 0) p.push('mentions not disabled');
  return p;
}

export interface ReceivedMail {
  from: string | undefined;
  to: string[];
  raw: string;
  headers: Record<string, string>;
  user: string | undefined;
  secure: boolean;
}

export interface SmtpReceiver {
  port: number;
  mails: ReceivedMail[];
  authAttempts: Array<{ user: string; ok: boolean }>;
  close(): Promise<void>;
}

export async function startSmtpReceiver(options: { user?: string; pass?: string; tls?: { key: string; cert: string } } = {}): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  const authAttempts: Array<{ user: string; ok: boolean }> = [];
  const server = new SMTPServer({
    authOptional: options.user === undefined,
    // Plain-text AUTH only for the test without TLS; with a certificate the client must upgrade first.
    allowInsecureAuth: !options.tls,
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : { disabledCommands: ['STARTTLS'] }),
    logger: false,
    onAuth(auth, _session, cb) {
      const ok = auth.username === options.user && auth.password === options.pass;
      authAttempts.push({ user: auth.username ?? '', ok });
      if (ok) cb(null, { user: auth.username });
      else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const head = raw.split(/\r?\n\r?\n/)[0].replace(/\r?\n[ \t]+/g, ' ');
        const headers: Record<string, string> = {};
        for (const line of head.split(/\r?\n/)) {
          const i = line.indexOf(':');
          if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
        }
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address), raw, headers, user: session.user as string | undefined, secure: session.secure,
        });
        cb(null);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = ((server as unknown as { server: Server }).server.address() as AddressInfo).port;
  return { port, mails, authAttempts, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
