import type { Config } from '../config/types.js';
import { commandGateway } from './kinds/command.js';
import { managedGateway } from './managed-gateway.js';
import { twsGateway } from './tws-gateway.js';
import type { GatewayDeps, ManagedGateway } from './types.js';

export type { GatewayDeps, GatewayHandle, GatewayInfo, ManagedGateway } from './types.js';
export type { LaunchSpec } from './launch-spec.js';
export type { ConfService, ConfChangePreview, ConfChangeResult } from './conf-service.js';
export type { ConfVersion } from './conf-versions.js';
export type { TwsGateway } from './tws-gateway.js';
export type { TwsCredentials, TwsInfo } from './types.js';

/**
 * The gateway kind named by config.gateway.kind:
 * - simulated (default): the bundled simulator, home <dataDir>/gateway, managed conf + keystore;
 * - clientportal: a real clientportal.gw folder (gateway.home), managed conf in <dataDir>/gateway/conf;
 * - command: the user's argv, nothing managed;
 * - ibgateway / simulated-tws: IB Gateway under IBC (real or bundled simulation), managed
 *   config.ini and jts.ini (see tws-gateway.ts).
 */
export function createGateway(config: Config, deps: GatewayDeps): ManagedGateway {
  const kind = config.gateway.kind;
  if (kind === 'command') return commandGateway(config, deps);
  if (kind === 'ibgateway' || kind === 'simulated-tws') return twsGateway(config, deps);
  return managedGateway(config, deps);
}
