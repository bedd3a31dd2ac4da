import type { Config } from '../config/types.js';
import { commandGateway } from './kinds/command.js';
import { managedGateway } from './managed-gateway.js';
import type { GatewayDeps, ManagedGateway } from './types.js';

export type { GatewayDeps, GatewayHandle, GatewayInfo, ManagedGateway } from './types.js';
export type { LaunchSpec } from './launch-spec.js';
export type { ConfService, ConfChangePreview, ConfChangeResult } from './conf-service.js';
export type { ConfVersion } from './conf-versions.js';

/**
 * The gateway kind named by config.gateway.kind:
 * - simulated (default): the bundled simulator, home <dataDir>/gateway, managed conf + keystore;
 * - clientportal: a real clientportal.gw folder (gateway.home), managed conf in <dataDir>/gateway/conf;
 * - command: the user's argv, nothing managed.
 */
export function createGateway(config: Config, deps: GatewayDeps): ManagedGateway {
  return config.gateway.kind === 'command' ? commandGateway(config, deps) : managedGateway(config, deps);
}
