import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessChangeResult, AccessLists } from '../../access/access-service.js';
import { explainAccess } from '../../access/matcher.js';
import { routePlugin } from '../route-plugin.js';
import { managedPort } from '../managed-port.js';
import { stagedResponse, stageForNextWindow, whenProperty } from '../plugins/maintenance-ports.js';
import { errorResponses } from '../schemas.js';

/** What these routes need from the daemon: the managed gateway's access service (null for kind command). */

const entrySchema = {
  type: 'object',
  properties: { pattern: { type: 'string' }, label: { type: ['string', 'null'] }, valid: { type: 'boolean' } },
  required: ['pattern', 'label', 'valid'],
} as const;

export const explanationSchema = {
  type: 'object',
  properties: {
    address: { type: 'string' },
    status: { type: 'integer' },
    allowed: { type: 'boolean' },
    filtering: { type: 'boolean' },
    list: { type: ['string', 'null'] },
    entry: { type: ['string', 'null'] },
    reason: { type: 'string' },
  },
  required: ['address', 'status', 'allowed', 'filtering', 'reason'],
} as const;

const listsSchema = {
  type: 'object',
  properties: {
    allow: { type: 'array', items: entrySchema },
    deny: { type: 'array', items: entrySchema },
    probeAddress: { type: 'string' },
    probe: explanationSchema,
    client: { ...explanationSchema, description: 'how these lists treat the caller\'s own address (as the daemon sees it): a change that shuts the admin out is worth a warning' },
  },
  required: ['allow', 'deny', 'probeAddress', 'probe'],
} as const;

const changeSchema = {
  type: 'object',
  properties: {
    applied: { type: 'boolean' },
    diff: { type: 'string' },
    list: { type: 'string' },
    pattern: { type: 'string' },
    translatedFrom: { type: ['string', 'null'] },
    lists: listsSchema,
  },
  required: ['applied', 'diff', 'list', 'pattern', 'lists'],
} as const;

const listParams = { type: 'object', properties: { list: { type: 'string', enum: ['allow', 'deny'] } }, required: ['list'] } as const;

const changeBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    entry: { type: 'string', minLength: 1, maxLength: 100, description: 'a.*, a.b.*, a.b.c.*, a.b.c.d, CIDR or a range' },
    label: { type: ['string', 'null'], maxLength: 200 },
    force: { type: 'boolean', description: 'allow a change that locks out access.probeAddress' },
    dryRun: { type: 'boolean', description: 'only return the conf.yaml diff' },
    when: whenProperty,
  },
  required: ['entry'],
} as const;

type ListName = 'allow' | 'deny';
type ChangeBody = { entry: string; label?: string | null; force?: boolean; dryRun?: boolean; when?: 'now' | 'next-window' };

/** The lists with how they treat the caller: the daemon refuses to lock out its own probe, the UI warns about its user. */
function withClient(request: FastifyRequest, lists: AccessLists): AccessLists {
  const patterns = { allow: lists.allow.map((e) => e.pattern), deny: lists.deny.map((e) => e.pattern) };
  return { ...lists, client: explainAccess(request.ip, patterns) } as AccessLists;
}

const changeWithClient = (request: FastifyRequest, result: AccessChangeResult): AccessChangeResult => ({ ...result, lists: withClient(request, result.lists) });

/**
 * The gateway's IP allow/deny lists. Changes end in a gateway restart (it reads conf.yaml only
 * at start); refusals come back as 400 IBGW_ACCESS_PATTERN (with `details.suggestions`), 409
 * IBGW_ACCESS_LOCKOUT or IBGW_ACCESS_LIST_EMPTY.
 */
async function accessRoutes(app: FastifyInstance): Promise<void> {
  const access = managedPort(app, 'access');

  app.get('/api/v1/access', {
    preHandler: app.requireAdmin,
    schema: { summary: 'The allow/deny lists with labels and the probe\'s verdict', response: { 200: listsSchema, ...errorResponses } },
  }, async (request) => withClient(request, await access().list()));

  app.post<{ Params: { list: ListName }; Body: ChangeBody }>('/api/v1/access/:list', {
    preHandler: app.requireAdmin,
    schema: {
      summary: 'Add an entry (planned gateway restart, or staged for the next window)', params: listParams, body: changeBody, response: { 200: changeSchema, ...stagedResponse, ...errorResponses } },
  }, async (request, reply) => {
    const { entry, label, force, dryRun, when } = request.body;
    const list = request.params.list;
    if (when === 'next-window' && !dryRun) return stageForNextWindow(app, request, reply, { kind: 'access', op: 'add', list, entry, label, force });
    return changeWithClient(request, await access().add(list, entry, { label, force, dryRun }));
  });

  app.post<{ Params: { list: ListName }; Body: ChangeBody }>('/api/v1/access/:list/remove', {
    preHandler: app.requireAdmin,
    schema: {
      summary: 'Remove an entry (planned gateway restart, or staged for the next window)', params: listParams, body: changeBody, response: { 200: changeSchema, ...stagedResponse, ...errorResponses } },
  }, async (request, reply) => {
    const { entry, force, dryRun, when } = request.body;
    const list = request.params.list;
    if (when === 'next-window' && !dryRun) return stageForNextWindow(app, request, reply, { kind: 'access', op: 'remove', list, entry, force });
    return changeWithClient(request, await access().remove(list, entry, { force, dryRun }));
  });

  app.get<{ Querystring: { address: string } }>('/api/v1/access/explain', {
    preHandler: app.requireAdmin,
    schema: {
      summary: 'Why an address gets Access Denied, or not',
      querystring: { type: 'object', additionalProperties: false, properties: { address: { type: 'string', minLength: 1, maxLength: 64 } }, required: ['address'] },
      response: { 200: explanationSchema, ...errorResponses },
    },
  }, async (request) => access().explain(request.query.address));

  app.get('/api/v1/access/suggestions', {
    preHandler: app.requireAdmin,
    schema: {
      summary: 'The host\'s networks as candidate entries',
      response: {
        200: {
          type: 'object',
          properties: {
            suggestions: {
              type: 'array',
              items: { type: 'object', properties: { pattern: { type: 'string' }, interface: { type: 'string' }, network: { type: 'string' }, reason: { type: 'string' } } },
            },
          },
        },
        ...errorResponses,
      },
    },
  }, async () => ({ suggestions: access().suggestions() }));
}

export default routePlugin(accessRoutes, 'ibgw-access-routes', ['ibgw-gateway', 'ibgw-daemon-info', 'ibgw-maintenance']);
