/** What every channel kind implements; the delivery loop knows nothing else about them. */
import type { IbgwError } from '../../errors.js';
import type { Notification } from '../notification.js';
import type { ChannelSecrets } from '../secrets.js';

/** The receiver's answer, as far as a channel can tell it (status line, reply, exit status). */
export interface DeliveryAnswer {
  /** HTTP status, SMTP reply code, or the command's exit status. */
  status: number | null;
  /** Short text: the HTTP body, the SMTP reply, the command's stdout (secrets scrubbed, capped). */
  text: string;
}

export interface SendContext {
  secrets: ChannelSecrets;
  timeoutMs: number;
  /** Aborted when the notifier stops: an attempt in flight ends at once. */
  signal: AbortSignal;
}

export interface ChannelSender {
  readonly name: string;
  readonly type: 'webhook' | 'email' | 'command';
  /** Resolves with the answer on success; throws an IbgwError (details.permanent: no retry) otherwise. */
  send(notification: Notification, context: SendContext): Promise<DeliveryAnswer>;
  /** For status and the API: where it sends, never a secret (URL paths hidden). */
  describe(): Record<string, unknown>;
  close(): Promise<void>;
}

/** A failed attempt the delivery loop must not repeat (a 4xx, an SMTP 5xx, a sysexits code). */
export function permanent(err: IbgwError, extra: Record<string, unknown> = {}): IbgwError {
  err.details = { ...err.details, ...extra, permanent: true };
  return err;
}

export function isPermanent(err: unknown): boolean {
  return (err as IbgwError | null)?.details?.permanent === true;
}

/** Answers are shown in status and the API: short, one line per line, no control characters. */
export function clip(text: string, max = 500): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}
