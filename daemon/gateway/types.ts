import type { AccessService } from '../access/access-service.js';
import type { Config } from '../config/types.js';
import type { EventSink } from '../events.js';
import type { Logger } from '../logger.js';
import type { TlsService, TlsSummary } from '../tls/tls-service.js';
import type { ConfService } from './conf-service.js';
import type { LaunchSpec } from './launch-spec.js';

/** The contract in docs/ARCHITECTURE.md: what the supervisor, session keeper and API call. */
export interface GatewayHandle {
  /** Prepares conf.yaml + keystore, then returns the argv. Called before every spawn. */
  launch(): Promise<LaunchSpec>;
  /** https://<gateway.host>:<gateway.port> */
  baseUrl(): string;
  /** PEM the daemon verifies the gateway with (null: system CAs). */
  ca(): Promise<string | null>;
  /** Removes sslPwd etc. from captured gateway output. */
  redactLine(line: string): string;
  /** kind, home, conf path, tls summary, access summary. Never secrets. */
  info(): GatewayInfo;
  close(): Promise<void>;
}

/** createGateway's result: the contract plus the services behind it (null for kind command). */
export interface ManagedGateway extends GatewayHandle {
  readonly conf: ConfService | null;
  readonly access: AccessService | null;
  readonly tls: TlsService | null;
}

export interface GatewayInfo {
  kind: Config['gateway']['kind'];
  home: string;
  /** The conf.yaml the gateway reads; null when the daemon does not manage it (kind command). */
  confPath: string | null;
  templatePath: string | null;
  baseUrl: string;
  /** The user's own argv replaces the kind's launch. */
  customCommand: boolean;
  tls: TlsSummary | null;
  access: { probeAddress: string; allow: string[]; deny: string[]; labelsPath: string } | null;
  /** Simulator control info file (kinds simulated and simulated-tws). */
  simControlFile?: string;
  /** IB Gateway kinds: where IBC, the install and the managed files are (no secrets). */
  tws?: TwsInfo;
}

export interface TwsInfo {
  ibcHome: string;
  install: string | null;
  settingsPath: string;
  configIni: string;
  jtsIni: string;
  tradingMode: 'live' | 'paper' | null;
  readOnlyApi: boolean;
  trustedIps: string[];
  commandServerPort: number;
  display: 'xvfb' | 'inherit';
  autoRestartTime: string | null;
}

/** IBKR credentials for the IB Gateway kinds, from the vault. */
export interface TwsCredentials {
  username: string;
  password: string;
  mode?: 'live' | 'paper';
}

export interface GatewayDeps {
  dataDir: string;
  logger?: Logger;
  onEvent?: EventSink;
  /** The gateway reads conf and keystore only at start: changes end in a restart request. */
  requestRestart?: (reason: string) => void;
  /** Clock for certificate dates and expiry checks (tests). */
  now?: () => Date;
  /** Drift watch tuning (tests use short intervals); false turns the watch off. */
  watch?: { stabilityMs?: number; usePolling?: boolean; intervalMs?: number } | false;
  /** Expiry check period (default 1 h). */
  expiryCheckIntervalMs?: number;
  /** IB Gateway kinds: the vault's credentials (null: none stored). simulated-tws falls back to the simulator's first user. */
  credentials?: () => Promise<TwsCredentials | null>;
  /**
   * IB Gateway kinds: asked before every launch, which is a full IBKR login. Throws to refuse
   * (login blocked or budget spent; an IbgwError with details.retry false stops the supervisor
   * trying). The TWS session keeper's admitLogin().
   */
  loginGate?: () => Promise<void>;
  /** kind clientportal: the folder to launch from, asked at each launch (the active gateway
   *  version); null or absent: gateway.home. The conf template stays the one found at creation. */
  home?: () => string | null;
}
