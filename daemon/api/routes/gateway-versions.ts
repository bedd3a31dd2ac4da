import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { routePlugin } from '../route-plugin.js';
import { ERR_MAINTENANCE_UNAVAILABLE } from '../../errors.js';
import { maintenancePort, tokenName, versionsPort } from '../plugins/maintenance-ports.js';
import { errorResponses } from '../schemas.js';

const version = Type.Object({
  id: Type.String(),
  build: Type.Union([Type.String(), Type.Null()]),
  builtAt: Type.Union([Type.String(), Type.Null()]),
  implementationVersion: Type.Union([Type.String(), Type.Null()]),
  installedAt: Type.String(),
  source: Type.String(),
  jar: Type.String(),
  failed: Type.Optional(Type.Object({ at: Type.String(), reason: Type.String() })),
  active: Type.Optional(Type.Boolean()),
  home: Type.Optional(Type.String()),
});

const nullableId = Type.Union([Type.String(), Type.Null()]);

/**
 * Client Portal Gateway distributions (gateway.kind clientportal): list them with the active
 * one, install (stage) a zip or folder the daemon can read, and switch — now, gated and rolled
 * back on failure (answered at once, the outcome is an event), or in the next window.
 */
async function gatewayVersionRoutes(app: FastifyInstance): Promise<void> {
  const admin = { preHandler: app.requireAdmin };

  app.get('/api/v1/gateway/versions', {
    ...admin,
    schema: { summary: 'Installed Client Portal Gateway versions', response: { 200: Type.Object({ active: nullableId, previous: nullableId, staged: nullableId, versions: Type.Array(version) }), ...errorResponses } },
  }, async () => versionsPort(app).list());

  app.post<{ Body: { path: string } }>('/api/v1/gateway/versions', {
    ...admin,
    schema: {
      summary: 'Install (stage) a gateway distribution, zip or folder',
      body: Type.Object({ path: Type.String({ minLength: 1, maxLength: 4096, description: 'absolute path of a clientportal.gw zip or folder on the daemon\'s host' }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ version, installed: Type.Boolean() }), ...errorResponses },
    },
  }, async (request) => versionsPort(app).install(request.body.path));

  app.post<{ Body: { id: string; when?: 'now' | 'next-window' } }>('/api/v1/gateway/versions/use', {
    ...admin,
    schema: {
      summary: 'Switch to an installed version, now (gated) or in the next window',
      body: Type.Object({
        id: Type.String({ minLength: 1, maxLength: 64 }),
        when: Type.Optional(Type.Unsafe<'now' | 'next-window'>({ type: 'string', enum: ['now', 'next-window'] })),
      }, { additionalProperties: false }),
      response: { 202: Type.Object({ started: Type.Optional(Type.String()), staged: Type.Optional(Type.Object({}, { additionalProperties: true })) }), ...errorResponses },
    },
  }, async (request, reply) => {
    versionsPort(app); // 409 when versions do not apply to this gateway kind
    return reply.status(202).send(await maintenancePort(app).useVersion(request.body.id, request.body.when ?? 'now', tokenName(request)));
  });

  app.post('/api/v1/gateway/versions/check', {
    ...admin, schema: { summary: 'Check the update URL now', response: { 200: Type.Object({}, { additionalProperties: true }), ...errorResponses } },
  }, async () => {
    const check = app.maintenancePorts.updateCheck?.() ?? null;
    if (!check) throw ERR_MAINTENANCE_UNAVAILABLE('the gateway update check is off (maintenance.updateCheck.url)');
    return check.checkNow();
  });
}

export default routePlugin(gatewayVersionRoutes, 'ibgw-gateway-versions-routes', ['ibgw-maintenance', 'ibgw-daemon-info']);
