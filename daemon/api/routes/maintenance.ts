import { Type } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { routePlugin } from '../route-plugin.js';
import { invalid } from '../../maintenance/window-rules.js';
import { NextSchema, NowInputSchema, OccurrenceSchema, PendingSchema, WindowInputSchema, WindowSchema, type NowInput, type WindowInput } from '../../maintenance/window-schema.js';
import { maintenancePort, tokenName } from '../plugins/maintenance-ports.js';
import { errorResponses } from '../schemas.js';

const idParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const open = { type: 'object', additionalProperties: true } as const;

/**
 * A body that fails the schema is still IBGW_MAINTENANCE_INVALID naming the field, like a
 * window that fails the rules: one code for "this window is wrong", whoever noticed.
 */
function assertValid(request: FastifyRequest): void {
  const err = (request as FastifyRequest & { validationError?: FastifyError }).validationError;
  if (!err) return;
  const first = err.validation?.[0];
  const params = (first?.params ?? {}) as { missingProperty?: string; additionalProperty?: string };
  const path = (first?.instancePath ?? '').split('/').filter(Boolean);
  const field = params.missingProperty ?? params.additionalProperty ?? path[0] ?? 'body';
  const problem = params.missingProperty ? 'required' : params.additionalProperty ? 'unknown field' : (first?.message ?? err.message);
  throw invalid(field, problem);
}

/**
 * Admin maintenance windows: list, add, change, remove, skip the next occurrence; maintenance
 * now / end now; the calendar with IBKR's resets; the plan of the next window; rollback.
 * `next` and `status` answer without a token: local apps read when the gateway will be down.
 */
async function maintenanceRoutes(app: FastifyInstance): Promise<void> {
  const m = () => maintenancePort(app);
  const admin = { preHandler: app.requireAdmin };

  app.get('/api/v1/maintenance/windows', { ...admin, schema: { summary: 'List the maintenance windows', response: { 200: Type.Object({ windows: Type.Array(WindowSchema) }), ...errorResponses } } },
    async () => ({ windows: m().listWindows() }));

  app.post<{ Body: WindowInput }>('/api/v1/maintenance/windows', {
    ...admin, attachValidation: true, schema: { summary: 'Create a maintenance window (400 naming the field, 409 naming an overlapping window)', body: WindowInputSchema, response: { 201: WindowSchema, ...errorResponses } },
  }, async (request, reply) => {
    assertValid(request);
    return reply.status(201).send(m().addWindow(request.body, tokenName(request)));
  });

  app.get<{ Params: { id: string } }>('/api/v1/maintenance/windows/:id', { ...admin, schema: { summary: 'One maintenance window', params: idParams, response: { 200: WindowSchema, ...errorResponses } } },
    async (request) => m().getWindow(request.params.id));

  app.put<{ Params: { id: string }; Body: WindowInput }>('/api/v1/maintenance/windows/:id', {
    ...admin, attachValidation: true, schema: { summary: 'Replace a maintenance window', params: idParams, body: WindowInputSchema, response: { 200: WindowSchema, ...errorResponses } },
  }, async (request) => {
    assertValid(request);
    return m().replaceWindow(request.params.id, request.body, tokenName(request));
  });

  app.delete<{ Params: { id: string } }>('/api/v1/maintenance/windows/:id', { ...admin, schema: { summary: 'Delete a maintenance window', params: idParams, response: { 200: Type.Object({ removed: WindowSchema }), ...errorResponses } } },
    async (request) => ({ removed: await m().removeWindow(request.params.id, tokenName(request)) }));

  app.post<{ Params: { id: string } }>('/api/v1/maintenance/windows/:id/skip', {
    ...admin, schema: { summary: 'Skip the next occurrence of a recurring window', params: idParams, response: { 200: Type.Object({ windowId: Type.String(), start: Type.String(), end: Type.String() }), ...errorResponses } },
  }, async (request) => m().skipNext(request.params.id, tokenName(request)));

  app.post<{ Body: NowInput }>('/api/v1/maintenance/now', {
    ...admin, attachValidation: true, schema: { summary: 'Maintenance now, for N minutes', body: NowInputSchema, response: { 201: WindowSchema, ...errorResponses } },
  }, async (request, reply) => {
    assertValid(request);
    return reply.status(201).send(await m().now(request.body, tokenName(request)));
  });

  app.post('/api/v1/maintenance/end', { ...admin, schema: { summary: 'End the current window now', response: { 200: open, ...errorResponses } } }, async () => m().end());

  app.get<{ Querystring: { days: number } }>('/api/v1/maintenance/calendar', {
    ...admin,
    schema: {
      summary: 'Occurrences over the next N days (IBKR resets marked source ibkr)',
      querystring: Type.Object({ days: Type.Integer({ minimum: 1, maximum: 366, default: 7 }) }, { additionalProperties: false }),
      response: { 200: Type.Object({ occurrences: Type.Array(OccurrenceSchema) }), ...errorResponses },
    },
  }, async (request) => ({ occurrences: m().calendar(request.query.days) }));

  app.get('/api/v1/maintenance/next', { schema: { summary: 'The current or next window, for apps (no token)', response: { 200: NextSchema, ...errorResponses } } }, async () => m().next());

  app.get('/api/v1/maintenance/status', { schema: { summary: 'What the maintenance scheduler is doing', response: { 200: open, ...errorResponses } } }, async () => m().status());

  app.get('/api/v1/maintenance/plan', { ...admin, schema: { summary: 'What the next window changes and what it rolls back to', response: { 200: open, ...errorResponses } } }, async () => m().plan());

  app.post('/api/v1/maintenance/rollback', {
    ...admin, schema: { summary: 'Roll back the last change (runs in the background; the outcome is an event)', response: { 202: Type.Object({ started: Type.String() }), ...errorResponses } },
  }, async (_request, reply) => reply.status(202).send(await m().rollback()));

  app.get('/api/v1/maintenance/pending', { ...admin, schema: { summary: 'Changes staged for the next window', response: { 200: Type.Object({ pending: Type.Array(PendingSchema) }), ...errorResponses } } },
    async () => ({ pending: m().pending.list() }));

  app.delete<{ Params: { id: string } }>('/api/v1/maintenance/pending/:id', {
    ...admin, schema: { summary: 'Drop a staged change', params: idParams, response: { 200: Type.Object({ removed: PendingSchema }), ...errorResponses } },
  }, async (request) => ({ removed: await m().pending.remove(request.params.id) }));
}

export default routePlugin(maintenanceRoutes, 'ibgw-maintenance-routes', ['ibgw-maintenance', 'ibgw-daemon-info']);
