/**
 * TLS settings for the daemon's calls to the gateway: one secure context per CA, shared by every
 * connection. Handed `ca` instead, node builds a context for each new connection (the PEM parsed,
 * an OpenSSL SSL_CTX allocated and later freed by a GC), and the keeper opens a fresh connection
 * every couple of seconds: CPU per call, and native memory churned through the malloc heap.
 */
import { createSecureContext, type SecureContext } from 'node:tls';

let cached: { ca: string | null; context: SecureContext } | null = null;

/** `ca` null: the system's CAs (a user's own publicly signed certificate). */
export function gatewayTlsOptions(ca: string | null): { secureContext: SecureContext; rejectUnauthorized: true } {
  if (!cached || cached.ca !== ca) cached = { ca, context: createSecureContext(ca ? { ca } : {}) };
  return { secureContext: cached.context, rejectUnauthorized: true };
}
