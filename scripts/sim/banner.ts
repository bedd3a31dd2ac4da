/**
 * What clientportal.gw prints on stdout at start. The last line matters: the real gateway
 * prints `Open https://localhost:<port> to login` before the listener opens and even when it
 * never will (bad keystore, busy port), so a supervisor must not take it as "ready". We print
 * it at the same moment for the same reason.
 */
import type { GatewayConf } from './conf-file.js';

const STARS = '****************************************************';

/** The start log's dump of the conf, password included, exactly as the real one leaks it. */
export function confDump(conf: GatewayConf): string {
  return `-> loaded config: ${JSON.stringify(conf.raw)}`;
}

export function bannerLines(conf: GatewayConf, port: number, ssl: boolean): string[] {
  return [
    'running  ',
    ` runtime path : ${conf.dir}:dist/ibgroup.web.core.iblink.router.clientportal.gw.jar:build/lib/runtime/*`,
    ` config file  : ${conf.path}`,
    ...conf.webApps.map((w) => `-> mount ${w.name} on /${w.name}`),
    `Java Version: simulated (Node ${process.version})`,
    STARS,
    'version: simulated clientportal.gw (ibgw-sim), modelled on the build of 2023-04-24',
    STARS,
    'This is the Client Portal Gateway',
    'for any issues, please contact api@ibkr.com',
    'and include a copy of your logs',
    STARS,
    'https://www.interactivebrokers.com/api/doc.html',
    STARS,
    `Open ${ssl ? 'https' : 'http'}://localhost:${port} to login`,
  ];
}
