import type { FastifyInstance } from 'fastify';
import { ERR_GATEWAY_UNMANAGED } from '../errors.js';
import type { GatewayPort } from './services.js';

type ManagedKey = 'access' | 'tls' | 'conf';

const WHAT: Record<ManagedKey, string> = { access: 'the allow/deny list', tls: 'the TLS certificate', conf: 'conf.yaml' };

/**
 * The service behind a route that only exists when the daemon manages the gateway's conf
 * (kinds simulated and clientportal); with gateway.kind command it answers 409
 * IBGW_GATEWAY_UNMANAGED instead of pretending.
 */
export function managedPort<K extends ManagedKey>(app: FastifyInstance, key: K): () => NonNullable<GatewayPort[K]> {
  return () => {
    const port = app.gateway[key];
    if (!port) throw ERR_GATEWAY_UNMANAGED(WHAT[key], `gateway.kind ${app.daemonInfo.config().gateway.kind}`);
    return port as NonNullable<GatewayPort[K]>;
  };
}
