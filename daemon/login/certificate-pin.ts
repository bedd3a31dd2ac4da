/**
 * How the login browser comes to trust the gateway's certificate without trusting anything
 * else. Chromium has no option to take a CA file, and `ignoreHTTPSErrors` would hand the
 * password to whoever answers on the port. So the daemon verifies the gateway itself — a TLS
 * handshake from Node with the daemon's CA (chain and host name) — and then tells Chromium to
 * accept exactly that certificate's public key (`--ignore-certificate-errors-spki-list`, the
 * base64 SHA-256 of the SubjectPublicKeyInfo) and nothing more: a different key on the same
 * port, even one moments later, is still refused by the browser.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { connect } from 'node:tls';
import { ERR_LOGIN_CERTIFICATE } from '../errors.js';

export interface GatewayPin {
  /** base64(sha256(SPKI DER)), the form Chromium's flag takes. */
  spki: string;
  /** Subject and expiry, for events (no secret). */
  subject: string;
  validTo: string;
}

/** The Chromium switch that admits exactly this key (it only works with a --user-data-dir, which the driver always sets). */
export function spkiSwitch(pin: GatewayPin): string {
  return `--ignore-certificate-errors-spki-list=${pin.spki}`;
}

/**
 * Connects to the gateway of `baseUrl`, verifies its certificate against `ca` (PEM; null: the
 * system's CAs) including the host name, and returns the key's pin. Throws ERR_LOGIN_CERTIFICATE.
 */
export function pinGatewayCertificate(baseUrl: string, ca: string | null, timeoutMs = 5000): Promise<GatewayPin> {
  const url = new URL(baseUrl);
  if (url.protocol !== 'https:') return Promise.reject(ERR_LOGIN_CERTIFICATE(baseUrl, 'the gateway must be reached over https'));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 443);
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port,
      ...(ca ? { ca } : {}),
      // SNI takes names only; for an IP the certificate's IP SAN is checked all the same.
      ...(isIP(host) ? {} : { servername: host }),
      rejectUnauthorized: true,
      timeout: timeoutMs,
    });
    const fail = (why: string, tlsCode?: string): void => {
      socket.destroy();
      const err = ERR_LOGIN_CERTIFICATE(baseUrl, why);
      if (tlsCode) err.details = { tlsCode };
      reject(err);
    };
    socket.once('secureConnect', () => {
      const cert = socket.getPeerX509Certificate();
      socket.end();
      if (!cert) return fail('the gateway sent no certificate');
      const spki = createHash('sha256').update(cert.publicKey.export({ type: 'spki', format: 'der' })).digest('base64');
      resolve({ spki, subject: cert.subject.replace(/\n/g, ', '), validTo: cert.validTo });
    });
    socket.once('timeout', () => fail(`no TLS handshake within ${timeoutMs} ms`));
    socket.once('error', (err: NodeJS.ErrnoException) => fail(err.code ? `${err.code}: ${err.message}` : err.message, err.code));
  });
}
