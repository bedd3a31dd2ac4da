import type { FastifyInstance } from 'fastify';
import { routePlugin } from '../route-plugin.js';
import { ERR_BAD_REQUEST, ERR_GATEWAY_UNMANAGED } from '../../errors.js';
import { checkImport } from '../../tls/import.js';
import { inspectCertificate } from '../../tls/inspect.js';
import { managedPort } from '../managed-port.js';
import { stagedResponse, stageForNextWindow, whenProperty } from '../plugins/maintenance-ports.js';
import { errorResponses, reasonSchema } from '../schemas.js';

/** What these routes need: the managed gateway's TLS service (null in tls mode gateway / kind command). */

const certificateProperties = {
  subject: { type: 'string' },
  issuer: { type: 'string' },
  sans: { type: 'array', items: { type: 'string' } },
  fingerprint: { type: 'string' },
  serialNumber: { type: 'string' },
  notBefore: { type: 'string' },
  notAfter: { type: 'string' },
  selfSigned: { type: 'boolean' },
} as const;

const certificateSchema = { type: 'object', properties: certificateProperties, required: ['subject', 'sans', 'fingerprint', 'notAfter'] } as const;

const summarySchema = {
  type: 'object',
  properties: { mode: { type: 'string' }, caPath: { type: ['string', 'null'] }, ...certificateProperties },
  required: ['mode', 'caPath'],
} as const;

type CheckBody = { certPem?: string; keyPem?: string; pfxBase64?: string; passphrase?: string; hosts?: string[] };

/**
 * The gateway's certificate. Reading it is open (the gateway serves it to anyone anyway) and so
 * is the CA PEM clients need to verify it; renewing and checking an import need the admin token.
 * No route ever returns the keystore password or a key.
 */
async function tlsRoutes(app: FastifyInstance): Promise<void> {
  const tls = managedPort(app, 'tls');

  app.get('/api/v1/tls', { schema: { summary: 'Certificate summary', response: { 200: summarySchema, ...errorResponses } } }, async () => tls().summary());

  app.get('/api/v1/tls/ca.pem', {
    schema: { summary: 'The CA PEM that apps verify the gateway with', response: { 200: { type: 'string' }, ...errorResponses } },
  }, async (_request, reply) => {
    const pem = await tls().ca();
    if (!pem) throw ERR_GATEWAY_UNMANAGED('a CA', 'tls.mode gateway');
    return reply.type('application/x-pem-file').send(pem);
  });

  app.post<{ Body: { reason?: string; when?: 'now' | 'next-window' } | null }>('/api/v1/tls/renew', {
    preHandler: app.requireAdmin,
    schema: {
      summary: 'Renew the generated certificate (planned gateway restart, or staged for the next window)',
      body: { type: ['object', 'null'], additionalProperties: false, properties: { reason: reasonSchema, when: whenProperty } },
      response: { 200: certificateSchema, ...stagedResponse, ...errorResponses, 500: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } } },
    },
  }, async (request, reply) => {
    tls(); // 409 first when the daemon manages no certificate
    if (request.body?.when === 'next-window') return stageForNextWindow(app, request, reply, { kind: 'tls-renew', reason: request.body.reason });
    return tls().renew(request.body?.reason ?? 'tls renewed via API');
  });

  // Checks a certificate for tls.mode import before the config names it: key match, dates, SANs.
  app.post<{ Body: CheckBody }>('/api/v1/tls/check', {
    preHandler: app.requireAdmin,
    // PEM pair or a base64 PKCS#12: the schema's maxLengths add up to about 800 KB.
    bodyLimit: 1024 * 1024,
    schema: {
      summary: 'Check a certificate before importing it',
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          certPem: { type: 'string', maxLength: 200_000 },
          keyPem: { type: 'string', maxLength: 200_000 },
          pfxBase64: { type: 'string', maxLength: 400_000 },
          passphrase: { type: 'string', maxLength: 1000 },
          hosts: { type: 'array', items: { type: 'string', maxLength: 253 }, maxItems: 50 },
        },
      },
      response: { 200: certificateSchema, ...errorResponses },
    },
  }, async (request) => {
    const { certPem, keyPem, pfxBase64, passphrase, hosts } = request.body;
    if (!pfxBase64 && !(certPem && keyPem)) throw ERR_BAD_REQUEST('give certPem + keyPem, or pfxBase64 (+ passphrase)');
    const checked = checkImport(
      { certPem, keyPem, pfx: pfxBase64 ? Buffer.from(pfxBase64, 'base64') : null, passphrase },
      { hosts: hosts ?? [...app.daemonInfo.config().tls.hosts] },
    );
    return inspectCertificate(checked.leaf);
  });
}

export default routePlugin(tlsRoutes, 'ibgw-tls-routes', ['ibgw-gateway', 'ibgw-daemon-info', 'ibgw-maintenance']);
