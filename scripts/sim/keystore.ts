/**
 * Loads the PKCS#12 keystore named by sslCert/sslPwd. Vert.x takes JKS or (on Java 17)
 * PKCS#12; Node only reads PKCS#12, so a JKS file here fails like a wrong password does. Every
 * failure is reported as null and nothing else: the real gateway stays up without listening
 * and logs nothing useful, and we want a supervisor to meet exactly that.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';

export interface TlsMaterial {
  pfx: Buffer;
  passphrase: string;
}

export function loadKeystore(path: string | null, passphrase: string): TlsMaterial | null {
  if (!path) return null;
  try {
    const pfx = readFileSync(path);
    // Parse it now: https.createServer would only throw later, at the first handshake or listen.
    createSecureContext({ pfx, passphrase });
    return { pfx, passphrase };
  } catch {
    return null;
  }
}
