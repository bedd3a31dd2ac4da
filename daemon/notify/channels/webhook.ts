/**
 * Webhook channel: one POST per notification, signed, with the notification id as the
 * idempotency key so a receiver can drop the duplicate that at-least-once delivery allows.
 */
import { ERR_NOTIFY_HTTP, ERR_NOTIFY_NETWORK, ERR_NOTIFY_TIMEOUT, type IbgwError } from '../../errors.js';
import type { WebhookChannel } from '../../config/notify-schema.js';
import type { Notification } from '../notification.js';
import { isSecretRef } from '../secrets.js';
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign } from '../signature.js';
import { clip, permanent, type ChannelSender, type DeliveryAnswer, type SendContext } from './channel.js';
import { post, type PostAnswer, type PostFailure } from './http-post.js';
import { webhookBody } from './webhook-formats.js';

/** Worth another try: the receiver is busy, rate-limits us, or failed on its side. */
const RETRYABLE = new Set([408, 425, 429]);

/** Where it posts, for status: scheme, host and port only; paths of Slack/Discord URLs are credentials. */
export function displayUrl(url: string | { vault: string }): string {
  if (isSecretRef(url)) return `(vault: ${url.vault})`;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname !== '/' || u.search ? '/…' : '/'}`;
  } catch {
    return '(invalid URL)';
  }
}

function retryAfterMs(header: string | null): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : null;
}

export class WebhookSender implements ChannelSender {
  readonly type = 'webhook';
  readonly name: string;
  readonly #config: WebhookChannel;
  readonly #userAgent: string;

  constructor(config: WebhookChannel, userAgent: string) {
    this.name = config.name;
    this.#config = config;
    this.#userAgent = userAgent;
  }

  describe(): Record<string, unknown> {
    const c = this.#config;
    return { url: displayUrl(c.url), format: c.format ?? 'json', signed: Boolean(c.secret), headers: Object.keys(c.headers ?? {}) };
  }

  async send(n: Notification, ctx: SendContext): Promise<DeliveryAnswer> {
    const c = this.#config;
    const url = await ctx.secrets.value(c.url);
    const body = webhookBody(n, c.format ?? 'json');
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': this.#userAgent, [IDEMPOTENCY_HEADER]: n.id };
    for (const [name, value] of Object.entries(c.headers ?? {})) headers[name.toLowerCase()] = await ctx.secrets.value(value);
    if (c.secret) {
      // Signed at each attempt with the wall clock (never an injected one): the receiver checks
      // the timestamp against its own clock, and a retry an hour later must not look replayed.
      const timestamp = Math.floor(Date.now() / 1000);
      headers[TIMESTAMP_HEADER] = String(timestamp);
      headers[SIGNATURE_HEADER] = sign(await ctx.secrets.get(c.secret), timestamp, body);
    }
    let answer: PostAnswer;
    try {
      answer = await post(url, headers, body, AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.timeoutMs)]));
    } catch (err) {
      throw this.#networkError(err as PostFailure, ctx.timeoutMs);
    }
    const text = clip(answer.text);
    if (answer.status >= 200 && answer.status < 300) return { status: answer.status, text };
    const err = ERR_NOTIFY_HTTP(this.name, answer.status);
    err.details = { status: answer.status, answer: text };
    const wait = retryAfterMs(answer.header('retry-after'));
    if (wait !== null) err.details.retryAfterMs = wait;
    throw answer.status >= 500 || RETRYABLE.has(answer.status) ? err : permanent(err);
  }

  #networkError(e: PostFailure, timeoutMs: number): IbgwError {
    if (e.name === 'TimeoutError') return ERR_NOTIFY_TIMEOUT(this.name, timeoutMs);
    // A bad URL from the vault does not get better by retrying.
    if (e.code === 'ERR_INVALID_URL') return permanent(ERR_NOTIFY_NETWORK(this.name, 'the URL is not valid'));
    return ERR_NOTIFY_NETWORK(this.name, e.code ?? e.message);
  }

  async close(): Promise<void> {}
}
