/**
 * Email channel over SMTP. nodemailer is loaded at the first send, never at daemon start
 * (memory budget), and a transport lives for one attempt only: the password is fetched from
 * the vault each time, and an idle daemon holds no SMTP connection.
 */
import { isIP } from 'node:net';
import { ERR_NOTIFY_SMTP, ERR_NOTIFY_TIMEOUT, type IbgwError } from '../../errors.js';
import type { EmailChannel } from '../../config/notify-schema.js';
import type { Notification } from '../notification.js';
import { clip, permanent, type ChannelSender, type DeliveryAnswer, type SendContext } from './channel.js';

type CreateTransport = typeof import('nodemailer').createTransport;
type SmtpError = Error & { code?: string; responseCode?: number; response?: string };

let loading: Promise<CreateTransport> | null = null;
function loadNodemailer(): Promise<CreateTransport> {
  loading ??= import('nodemailer').then((m) => m.createTransport, (err: unknown) => {
    loading = null;
    throw err;
  });
  return loading;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function emailContent(n: Notification): { subject: string; text: string; html: string } {
  const footer = `ibgw-supervisor on ${n.host} · ${n.kind}${n.rule ? ` · rule ${n.rule}` : ''} · ${n.createdAt}`;
  const subject = `[ibgw ${n.kind === 'recovery' ? 'ok' : n.severity}] ${n.title}`.replace(/[\r\n]+/g, ' ').slice(0, 200);
  const text = `${n.title}\n\n${n.text}\n\n-- \n${footer}\n`;
  const html = `<p><strong>${escapeHtml(n.title)}</strong></p>\n`
    + `<pre style="font-family:monospace;white-space:pre-wrap">${escapeHtml(n.text)}</pre>\n`
    + `<p style="color:#666;font-size:small">${escapeHtml(footer)}</p>\n`;
  return { subject, text, html };
}

export class EmailSender implements ChannelSender {
  readonly type = 'email';
  readonly name: string;
  readonly #config: EmailChannel;

  constructor(config: EmailChannel) {
    this.name = config.name;
    this.#config = config;
  }

  describe(): Record<string, unknown> {
    const c = this.#config;
    return { server: `${c.host}:${c.port}`, tls: c.tls, verifyCertificate: c.verifyCertificate !== false, username: c.username ?? null, from: c.from, to: c.to };
  }

  async send(n: Notification, ctx: SendContext): Promise<DeliveryAnswer> {
    const c = this.#config;
    const pass = c.password ? await ctx.secrets.get(c.password) : null;
    const createTransport = await loadNodemailer();
    const transport = createTransport({
      host: c.host,
      port: c.port,
      secure: c.tls === 'implicit',
      requireTLS: c.tls === 'starttls',
      ignoreTLS: c.tls === 'none',
      // SNI carries names only (RFC 6066); an address is checked against the certificate's IP SANs.
      tls: { rejectUnauthorized: c.verifyCertificate !== false, ...(isIP(c.host) ? {} : { servername: c.host }) },
      ...(c.username ? { auth: { user: c.username, pass: pass ?? '' } } : {}),
      connectionTimeout: ctx.timeoutMs,
      greetingTimeout: ctx.timeoutMs,
      socketTimeout: ctx.timeoutMs,
      // Message content is ours, but never let a field be read as a file path or URL to fetch.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    // nodemailer's timeouts are per phase; this is the attempt's whole budget (and the stop signal).
    let fail: () => void = () => {};
    const abort = new Promise<never>((_, reject) => { fail = () => reject(ERR_NOTIFY_TIMEOUT(this.name, ctx.timeoutMs)); });
    abort.catch(() => transport.close());
    const timer = setTimeout(fail, ctx.timeoutMs);
    ctx.signal.addEventListener('abort', fail, { once: true });
    try {
      const content = emailContent(n);
      const info = await Promise.race([abort, transport.sendMail({
        from: c.from, to: c.to, ...content,
        messageId: `<${n.id}@ibgw-supervisor>`,
        headers: { 'X-Ibgw-Idempotency-Key': n.id, 'Auto-Submitted': 'auto-generated' },
      })]);
      if (info.accepted.length === 0) throw permanent(ERR_NOTIFY_SMTP(this.name, `every recipient was refused: ${clip(String(info.response ?? ''), 200)}`));
      const code = /^\d{3}/.exec(String(info.response ?? ''));
      const refused = info.rejected.length > 0 ? ` (refused: ${info.rejected.join(', ')})` : '';
      return { status: code ? Number(code[0]) : null, text: clip(`${info.response ?? ''}${refused}`) };
    } catch (err) {
      throw this.#classify(err);
    } finally {
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', fail);
      transport.close();
    }
  }

  #classify(err: unknown): IbgwError {
    if ((err as IbgwError).code?.startsWith('IBGW_')) return err as IbgwError;
    const e = err as SmtpError;
    const out = ERR_NOTIFY_SMTP(this.name, clip(e.message, 300));
    out.details = { smtpCode: e.code ?? null, status: e.responseCode ?? null };
    // 5xx is the server's final word; a refused login retried would only move toward a lockout;
    // a certificate that does not verify will not verify next time either.
    const final = (e.responseCode ?? 0) >= 500 || e.code === 'EAUTH' || /certificate|self.signed/i.test(e.message);
    return final ? permanent(out) : out;
  }

  async close(): Promise<void> {}
}
