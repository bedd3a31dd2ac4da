import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERR_MAINTENANCE_UNAVAILABLE } from '../../errors.js';
import type { MaintenanceService } from '../../maintenance/maintenance-service.js';
import type { PendingInput } from '../../maintenance/pending-changes.js';
import type { GatewayVersions } from '../../maintenance/versions/version-store.js';
import type { UpdateCheck } from '../../maintenance/versions/update-check.js';

/** What the maintenance routes need from the maintenance service (nothing else of it). */
export type MaintenancePort = Pick<MaintenanceService,
  'listWindows' | 'getWindow' | 'addWindow' | 'replaceWindow' | 'removeWindow' | 'skipNext' | 'now' | 'end' |
  'calendar' | 'next' | 'status' | 'rollback' | 'plan' | 'stage' | 'useVersion'
> & { pending: Pick<MaintenanceService['pending'], 'list' | 'remove'> };

export type VersionsPort = Pick<GatewayVersions, 'list' | 'install'>;
export type UpdateCheckPort = Pick<UpdateCheck, 'checkNow'>;

export interface MaintenancePorts {
  /** Getters: the daemon may build the services after the API. Null: not available. */
  maintenance: () => MaintenancePort | null;
  versions: () => VersionsPort | null;
  updateCheck?: () => UpdateCheckPort | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    maintenancePorts: MaintenancePorts;
  }
}

/** A daemon (or a test) without the maintenance service: its routes answer 409 IBGW_MAINTENANCE_UNAVAILABLE. */
export const noMaintenance: MaintenancePorts = { maintenance: () => null, versions: () => null, updateCheck: () => null };

export function maintenancePort(app: FastifyInstance): MaintenancePort {
  const port = app.maintenancePorts.maintenance();
  if (!port) throw ERR_MAINTENANCE_UNAVAILABLE('the daemon runs without the maintenance service');
  return port;
}

export function versionsPort(app: FastifyInstance): VersionsPort {
  const port = app.maintenancePorts.versions();
  if (!port) throw ERR_MAINTENANCE_UNAVAILABLE('gateway versions exist for gateway.kind clientportal only');
  return port;
}

/** Who asked: the admin token's name (one admin token today). */
export function tokenName(request: FastifyRequest): string {
  return (request as FastifyRequest & { adminTokenName?: string }).adminTokenName ?? 'admin';
}

/** `when` on a change route: the JSON schema property. */
export const whenProperty = { type: 'string', enum: ['now', 'next-window'], description: 'next-window: staged, applied by the next apply, update or restart window' } as const;

/** 202 with the staged change: the answer of every route called with when: next-window. */
export const stagedResponse = { 202: { type: 'object', properties: { pending: { type: 'object', additionalProperties: true } }, required: ['pending'] } } as const;

export async function stageForNextWindow(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, input: PendingInput): Promise<FastifyReply> {
  const pending = await maintenancePort(app).stage(input, tokenName(request));
  return reply.status(202).send({ pending });
}
