/**
 * Everything a request handler may look at, built once in main.ts. Routes get it as a
 * parameter instead of importing singletons, so an in-process test can build its own.
 */
import type { CompiledIpFilter } from './allow-list.js';
import type { GatewayConf } from './conf-file.js';
import type { Faults } from './faults.js';
import type { GatewayLog } from './gateway-log.js';
import type { LoginFlow } from './login-flow.js';
import type { MarketData } from './market-data.js';
import type { RateLimiter } from './rate-limit.js';
import type { SessionStore } from './session.js';
import type { SimConfig } from './sim-config.js';
import type { UserRegistry } from './users.js';

export interface SimContext {
  conf: GatewayConf;
  sim: SimConfig;
  ipFilter: CompiledIpFilter;
  session: SessionStore;
  users: UserRegistry;
  /** The browser login's steps: credentials, second factor, Dispatcher tickets. */
  flow: LoginFlow;
  /** The login page's script and style sheet, by file name. */
  loginAssets: Map<string, { type: string; body: Buffer }>;
  limiter: RateLimiter;
  faults: Faults;
  marketData: MarketData;
  log: GatewayLog;
  /** Requests per path that passed the IP check, for the control channel's /state. */
  counters: Map<string, number>;
  now: () => number;
}
