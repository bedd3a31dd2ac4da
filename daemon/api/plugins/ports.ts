/**
 * The daemon's services as Fastify sees them: one decorator per port, each registered by a
 * named plugin so that route plugins can declare what they depend on (fastify/demo's layout).
 * Decorators are getters: the session keeper and the gateway handle are rebuilt by config
 * edits, and a route must always reach the current one. The services' lifecycles belong to
 * the daemon's registry, not to Fastify, so these plugins own nothing to close.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { ApiServices } from '../services.js';
import { StatusHistory } from '../../history/status-history.js';
import { noMaintenance } from './maintenance-ports.js';

type PortKey = 'daemonInfo' | 'supervisor' | 'eventStore' | 'gateway' | 'session' | 'notifier' | 'vault' | 'maintenancePorts' | 'ibkr' | 'metrics' | 'tokens' | 'statusHistory' | 'login';

function portPlugin<K extends PortKey>(key: K, name: string, read: (s: ApiServices) => FastifyInstance[K]) {
  return fp(async (app: FastifyInstance, options: { services: ApiServices }) => {
    // Generic over the key, so TypeScript cannot relate the getter to the decorator's type; read() is typed per key above.
    app.decorate(key, { getter: () => read(options.services) } as never);
  }, { name, fastify: '5.x' });
}

const noHistory = new StatusHistory({ capacity: 1 });

export const portPlugins = [
  portPlugin('daemonInfo', 'ibgw-daemon-info', (s) => ({ ...s.daemon, config: s.config, configStatus: s.configStatus })),
  portPlugin('supervisor', 'ibgw-supervisor', (s) => s.supervisor),
  portPlugin('eventStore', 'ibgw-event-store', (s) => s.store),
  portPlugin('gateway', 'ibgw-gateway', (s) => ({
    info: s.gatewayInfo,
    get access() { return s.access; },
    get tls() { return s.tls; },
    get conf() { return s.conf; },
  })),
  portPlugin('session', 'ibgw-session', (s) => s.session),
  portPlugin('notifier', 'ibgw-notifier', (s) => s.notifier),
  portPlugin('vault', 'ibgw-vault', (s) => s.vault ?? null),
  portPlugin('maintenancePorts', 'ibgw-maintenance', (s) => s.maintenance ?? noMaintenance),
  portPlugin('ibkr', 'ibgw-ibkr', (s) => s.ibkr),
  portPlugin('metrics', 'ibgw-metrics', (s) => s.metrics),
  portPlugin('tokens', 'ibgw-tokens', (s) => s.tokens ?? null),
  portPlugin('statusHistory', 'ibgw-status-history', (s) => s.statusHistory ?? noHistory),
  portPlugin('login', 'ibgw-login', (s) => s.login ?? null),
];
