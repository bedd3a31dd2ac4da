import type { FastifyInstance } from 'fastify';
import { routePlugin } from '../route-plugin.js';
import { managedPort } from '../managed-port.js';
import { stagedResponse, stageForNextWindow, whenProperty } from '../plugins/maintenance-ports.js';
import { errorResponses } from '../schemas.js';

const textBody = {
  type: 'object',
  additionalProperties: false,
  required: ['text'],
  properties: { text: { type: 'string', minLength: 1, maxLength: 262_144 }, reason: { type: 'string', maxLength: 200 } },
} as const;

const applyBody = { ...textBody, properties: { ...textBody.properties, when: whenProperty } } as const;
/** conf.yaml text up to 256 KiB as JSON (escapes make it longer on the wire). */
const CONF_BODY_LIMIT = 1024 * 1024;

const changeResult = {
  type: 'object',
  properties: { changed: { type: 'boolean' }, version: { type: ['integer', 'null'] }, diff: { type: 'string' } },
} as const;

/**
 * The managed gateway conf.yaml: read it (secrets redacted), preview a change as a diff, apply
 * it (a planned gateway restart: the gateway reads its conf only at start), list and roll
 * back to earlier versions.
 */
async function confRoutes(app: FastifyInstance): Promise<void> {
  const conf = managedPort(app, 'conf');

  app.get('/api/v1/conf', {
    preHandler: app.requireAdmin,
    schema: { summary: 'The managed conf.yaml (secrets redacted)', response: { 200: { type: 'object', properties: { text: { type: 'string' } } }, ...errorResponses } },
  }, async () => ({ text: await conf().current() }));

  app.post<{ Body: { text: string } }>('/api/v1/conf/preview', {
    preHandler: app.requireAdmin,
    bodyLimit: CONF_BODY_LIMIT,
    schema: {
      summary: 'Diff a proposed conf.yaml',
      body: textBody,
      response: {
        200: {
          type: 'object',
          properties: {
            diff: { type: 'string' },
            changed: { type: 'boolean' },
            problems: { type: 'array', items: { type: 'object', additionalProperties: true } },
            adjusted: { type: 'array', items: { type: 'string' } },
          },
        },
        ...errorResponses,
      },
    },
  }, async (request) => conf().preview(request.body.text));

  app.post<{ Body: { text: string; reason?: string; when?: 'now' | 'next-window' } }>('/api/v1/conf/apply', {
    preHandler: app.requireAdmin,
    bodyLimit: CONF_BODY_LIMIT,
    schema: { summary: 'Apply a conf.yaml (planned gateway restart, or staged for the next window)', body: applyBody, response: { 200: changeResult, ...stagedResponse, ...errorResponses } },
  }, async (request, reply) => {
    const { text, reason, when } = request.body;
    if (when === 'next-window') return stageForNextWindow(app, request, reply, { kind: 'conf', text, reason });
    return conf().apply(text, reason ?? 'conf applied via API');
  });

  app.get('/api/v1/conf/versions', {
    preHandler: app.requireAdmin,
    schema: {
      summary: 'Earlier versions kept for rollback',
      response: {
        200: {
          type: 'object',
          properties: {
            versions: {
              type: 'array',
              items: { type: 'object', properties: { id: { type: 'integer' }, writtenAt: { type: 'string' }, reason: { type: 'string' }, replacedAt: { type: 'string' } } },
            },
          },
        },
        ...errorResponses,
      },
    },
  }, async () => ({ versions: await conf().versions() }));

  app.post<{ Params: { id: number }; Body: { when?: 'now' | 'next-window' } | null }>('/api/v1/conf/rollback/:id', {
    preHandler: app.requireAdmin,
    schema: {
      summary: 'Roll back to an earlier version (now, or staged for the next window)',
      params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] },
      body: { type: ['object', 'null'], additionalProperties: false, properties: { when: whenProperty } },
      response: { 200: changeResult, ...stagedResponse, ...errorResponses },
    },
  }, async (request, reply) => {
    if (request.body?.when === 'next-window') return stageForNextWindow(app, request, reply, { kind: 'conf-rollback', version: request.params.id });
    return conf().rollback(request.params.id);
  });
}

export default routePlugin(confRoutes, 'ibgw-conf-routes', ['ibgw-gateway', 'ibgw-daemon-info', 'ibgw-maintenance']);
