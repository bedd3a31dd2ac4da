/**
 * Channel secrets (webhook HMAC keys, SMTP passwords, secret URLs) come from the credential
 * vault at send time, through the `secrets` option, and are never cached beyond one attempt:
 * a rotated secret takes effect with the next message. Every value seen is remembered only to
 * be scrubbed from whatever text reaches logs, events, status and the API (a receiver's
 * answer, a command's stderr, a URL-parse error quoting the URL).
 */
import { ERR_NOTIFY_SECRET_MISSING } from '../errors.js';
import type { SecretRef } from '../config/notify-schema.js';

export type SecretLookup = (name: string) => Promise<string | null>;

export const noSecrets: SecretLookup = async () => null;

/** Short values would scrub ordinary words out of messages; real secrets are longer. */
const MIN_SCRUB_LENGTH = 4;
const REDACTED = '[redacted]';

export class Redactor {
  readonly #values = new Set<string>();

  add(value: string): void {
    if (value.length < MIN_SCRUB_LENGTH) return;
    this.#values.add(value);
    // A secret inside a URL or a form body travels encoded.
    const encoded = encodeURIComponent(value);
    if (encoded !== value) this.#values.add(encoded);
  }

  apply(text: string): string {
    let out = text;
    // Longest first: a secret that contains another must not be half-scrubbed.
    for (const v of [...this.#values].sort((a, b) => b.length - a.length)) out = out.split(v).join(REDACTED);
    return out;
  }
}

export function isSecretRef(value: unknown): value is SecretRef {
  return typeof value === 'object' && value !== null && typeof (value as SecretRef).vault === 'string';
}

/** Resolves the secrets of one channel for one attempt. */
export class ChannelSecrets {
  readonly #lookup: SecretLookup;
  readonly #channel: string;
  readonly #redactor: Redactor;

  constructor(lookup: SecretLookup, channel: string, redactor: Redactor) {
    this.#lookup = lookup;
    this.#channel = channel;
    this.#redactor = redactor;
  }

  async get(ref: SecretRef): Promise<string> {
    let value: string | null;
    try {
      value = await this.#lookup(ref.vault);
    } catch {
      // The vault's own error may quote what it was asked for; the name is all we report.
      value = null;
    }
    if (value === null || value === '') throw ERR_NOTIFY_SECRET_MISSING(this.#channel, ref.vault);
    this.#redactor.add(value);
    return value;
  }

  async value(v: string | SecretRef): Promise<string> {
    return isSecretRef(v) ? this.get(v) : v;
  }
}
