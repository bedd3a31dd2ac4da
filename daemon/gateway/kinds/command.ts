import type { Config } from '../../config/types.js';
import { ERR_CONFIG_INVALID } from '../../errors.js';
import type { LaunchSpec } from '../launch-spec.js';
import { createRedactor } from '../redact.js';
import type { GatewayDeps, ManagedGateway } from '../types.js';

/** Any program: the user's argv as given, no conf or keystore management. */
export function commandGateway(config: Config, deps: GatewayDeps): ManagedGateway {
  const gw = config.gateway;
  const baseUrl = `https://${gw.host}:${gw.port}`;
  const cwd = gw.cwd ?? deps.dataDir;
  return {
    conf: null,
    access: null,
    tls: null,
    async launch(): Promise<LaunchSpec> {
      if (!gw.command || gw.command.length === 0) throw ERR_CONFIG_INVALID('config', 'gateway.command', 'kind command needs an argv');
      return { command: [...gw.command], cwd, env: { ...gw.env }, host: gw.host, port: gw.port };
    },
    baseUrl: () => baseUrl,
    ca: async () => null,
    // No conf known here: only the keyed patterns (sslPwd=…, password: …) can be caught.
    redactLine: createRedactor(() => []),
    info: () => ({ kind: 'command', home: cwd, confPath: null, templatePath: null, baseUrl, customCommand: true, tls: null, access: null }),
    close: async () => {},
  };
}
