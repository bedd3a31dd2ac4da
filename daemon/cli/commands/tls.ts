import { writeFileSync } from 'node:fs';
import { ERR_BAD_REQUEST } from '../../errors.js';
import type { CertificateInfo } from '../../tls/inspect.js';
import type { TlsSummary } from '../../tls/tls-service.js';
import { parseCommon, readFileArg } from '../args.js';
import { createApiClient } from '../client.js';
import { table } from '../format.js';

const USAGE = `usage: ibgw tls show
       ibgw tls ca [--out FILE]          the PEM clients verify the gateway with
       ibgw tls renew                    a new generated certificate (restarts the gateway)
       ibgw tls check --cert FILE --key FILE | --pfx FILE [--passphrase P] [--host NAME]`;

function printCert(c: Partial<CertificateInfo>): string {
  return table([
    ['subject', c.subject], ['issuer', c.issuer], ['names', c.sans?.join(', ')], ['fingerprint', c.fingerprint],
    ['valid from', c.notBefore], ['valid until', c.notAfter],
  ]) + '\n';
}

/** ibgw tls …: the gateway certificate through the daemon API. */
export async function tlsCommand(argv: string[]): Promise<number> {
  const args = parseCommon(argv, {
    out: { type: 'string' }, cert: { type: 'string' }, key: { type: 'string' }, pfx: { type: 'string' }, passphrase: { type: 'string' }, host: { type: 'string' },
  });
  const api = createApiClient(args.config);
  const v = args.values as Record<string, string | undefined>;
  const out = (data: unknown, text: string) => process.stdout.write(args.json ? JSON.stringify(data, null, 2) + '\n' : text);
  switch (args.positionals[0]) {
    case 'show': {
      const s = await api.request<TlsSummary>('GET', '/api/v1/tls');
      out(s, table([['mode', s.mode], ['CA file', s.caPath]]) + '\n' + printCert(s));
      return 0;
    }
    case 'ca': {
      const res = await fetch(`${api.baseUrl}/api/v1/tls/ca.pem`);
      const pem = await res.text();
      if (!res.ok) throw ERR_BAD_REQUEST(pem);
      if (v.out) writeFileSync(v.out, pem);
      else process.stdout.write(pem);
      return 0;
    }
    case 'renew': {
      const c = await api.request<CertificateInfo>('POST', '/api/v1/tls/renew', { reason: 'tls renewed via CLI' });
      out(c, 'renewed; the gateway restarts to serve it\n' + printCert(c));
      return 0;
    }
    case 'check': {
      if (!v.pfx && !(v.cert && v.key)) throw ERR_BAD_REQUEST(USAGE);
      const body = v.pfx
        ? { pfxBase64: readFileArg(v.pfx).toString('base64'), passphrase: v.passphrase }
        : { certPem: readFileArg(v.cert!).toString('utf8'), keyPem: readFileArg(v.key!).toString('utf8'), passphrase: v.passphrase };
      const c = await api.request<CertificateInfo>('POST', '/api/v1/tls/check', { ...body, ...(v.host ? { hosts: [v.host] } : {}) });
      out(c, 'usable for tls.mode import\n' + printCert(c));
      return 0;
    }
    default:
      throw ERR_BAD_REQUEST(USAGE);
  }
}
