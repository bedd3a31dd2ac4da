import type { FastifyInstance } from 'fastify';
import { routePlugin } from '../route-plugin.js';
import { ERR_VAULT_DISABLED } from '../../errors.js';
import { errorResponses, errorSchema, noBody, nullableString } from '../schemas.js';
import type { VaultPort } from '../vault-port.js';

/** The only shape answers take: the serializer drops anything else, a second guard against a secret leaking out. */
const statusSchema = {
  type: 'object',
  properties: {
    configured: { type: 'boolean' },
    username: nullableString,
    mode: { type: ['string', 'null'], enum: ['paper', 'live', null] },
    hasTotp: { type: 'boolean' },
    updatedAt: nullableString,
    revision: nullableString,
    secretCount: { type: 'integer' },
    keyId: nullableString,
    keySource: nullableString,
    rotationPending: { type: 'boolean' },
    error: { anyOf: [{ type: 'null' }, { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } }] },
  },
  required: ['configured', 'username', 'mode', 'hasTotp', 'keyId', 'error'],
} as const;

const rotationSchema = {
  type: 'object',
  properties: {
    fromKeyId: nullableString,
    toKeyId: { type: 'string' },
    destinations: { type: 'array', items: { type: 'object', properties: { origin: { type: 'string' }, path: { type: 'string' } } } },
    vaultReencrypted: { type: 'boolean' },
    resumed: { type: 'boolean' },
    warnings: { type: 'array', items: { type: 'string' } },
  },
  required: ['toKeyId', 'destinations', 'vaultReencrypted', 'resumed', 'warnings'],
} as const;

// No pattern on password or TOTP secret: ajv's messages never quote the value, but a pattern
// message quotes the pattern, and the vault's own checks name the field without either.
const putBody = {
  type: 'object',
  additionalProperties: false,
  required: ['username', 'password'],
  properties: {
    username: { type: 'string', minLength: 1, maxLength: 64 },
    password: { type: 'string', minLength: 1, maxLength: 256 },
    mode: { type: 'string', enum: ['paper', 'live'] },
    totpSecret: { type: ['string', 'null'], maxLength: 256 },
  },
} as const;

/**
 * IBKR credentials in the vault, admin only. Needs the `vault` decorator (buildApp sets it). PUT takes the password and TOTP secret and never
 * gives them back; GET and every answer show only what `ibgw credentials show` shows.
 */
async function credentialsRoutes(app: FastifyInstance): Promise<void> {
  const vault = (): VaultPort => {
    if (!app.vault) throw ERR_VAULT_DISABLED();
    return app.vault;
  };
  const response = { 200: statusSchema, ...errorResponses, 500: errorSchema };

  app.get('/api/v1/credentials', { preHandler: app.requireAdmin, schema: { summary: 'What the vault holds (never the values)', response } }, async () => vault().status());

  app.put('/api/v1/credentials', { preHandler: app.requireAdmin, schema: { summary: 'Store the IBKR credentials in the vault', body: putBody, response } }, async (request) => {
    return vault().setCredentials(request.body);
  });

  app.delete('/api/v1/credentials', { preHandler: app.requireAdmin, schema: { summary: 'Remove the IBKR credentials from the vault', body: noBody, response } }, async () => vault().clearCredentials());

  // Through the daemon when it runs: it rotates with its own key sources (its .env, its key file).
  app.post('/api/v1/vault/rotate-key', { preHandler: app.requireAdmin, schema: { summary: 'Re-encrypt the vault under a new key', body: noBody, response: { 200: rotationSchema, ...errorResponses, 500: errorSchema } } }, async () => vault().rotateKey());
}

export default routePlugin(credentialsRoutes, 'ibgw-credentials-routes', ['ibgw-vault']);
