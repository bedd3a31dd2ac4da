/**
 * What the API needs from the services, as narrow interfaces: the API reads status and asks
 * for actions; it owns none of their logic and never touches a child process itself.
 */
import type { AccessService } from '../access/access-service.js';
import type { Config } from '../config/types.js';
import type { ConfService } from '../gateway/conf-service.js';
import type { ConnectionReport } from '../ibkr/connection-check.js';
import type { ForwardAnswer, ForwardRequest } from '../ibkr/pass-through.js';
import type { Portfolio } from '../ibkr/portfolio.js';
import type { StatusHistory } from '../history/status-history.js';
import type { LoginPort } from './login-port.js';
import type { Store } from '../store/store.js';
import type { AppTokens } from '../tokens/app-tokens.js';
import type { TlsService } from '../tls/tls-service.js';
import type { NotifierStatus, TestResult } from '../notify/index.js';
import type { VaultPort } from './vault-port.js';
import type { MaintenancePorts } from './plugins/maintenance-ports.js';

export interface GatewayStatusView {
  state: string;
  pid: number | null;
  since: string | null;
  /** Since this daemon started (the status route adds restartsAllTime from the store). */
  restartsSinceStart: number;
  lastExit: unknown;
  cpu: number | null;
  memory: number | null;
  reason?: string | null;
}

export interface SupervisorPort {
  status(): GatewayStatusView;
  start(reason?: string): Promise<unknown>;
  stop(reason?: string): Promise<unknown>;
  restart(reason?: string): Promise<unknown>;
  logs(limit?: number): Array<{ stream: string; text: string; at: string | number }>;
}

export interface SessionPort {
  status(): { state: string; authenticated: boolean; loginUrl?: string };
  metrics(): object;
  checkNow(): unknown;
  clearLoginBlock(): Promise<void>;
}

export type AccessPort = Pick<AccessService, 'list' | 'add' | 'remove' | 'explain' | 'suggestions'>;
export type TlsPort = Pick<TlsService, 'summary' | 'ca' | 'renew' | 'mode'>;
export type ConfPort = Pick<ConfService, 'current' | 'preview' | 'apply' | 'rollback' | 'versions'>;

/** The managed gateway as routes see it; the handle behind it is replaced when a config edit changes the launch. */
export interface GatewayPort {
  info(): Record<string, unknown>;
  /** Null for gateway.kind command: the daemon then manages no conf.yaml. */
  readonly access: AccessPort | null;
  readonly tls: TlsPort | null;
  readonly conf: ConfPort | null;
}

export interface DaemonInfoPort {
  pid: number;
  version: string;
  startedAt: number;
  config(): Config;
  configStatus(): unknown;
}

export type EventStorePort = Pick<Store, 'events' | 'oldestEventId' | 'data' | 'on' | 'off'>;

/** The numbers behind /metrics (daemon/metrics): the API counts its requests, the route renders. */
export interface MetricsPort {
  recordRequest(route: string, method: string, status: number): void;
  render(extras: { streams: { clients: number; dropped: number } | null }): Promise<{ contentType: string; body: string }>;
}

/** App tokens (daemon/tokens): the auth plugin verifies, the admin's routes create, list and revoke. */
export type TokensPort = Pick<AppTokens, 'list' | 'create' | 'revoke' | 'verify'>;

/** The way to IBKR for apps (daemon/ibkr): pacing, cache, gate and the gateway connection behind it. */
export interface IbkrPort {
  forward(request: ForwardRequest): Promise<ForwardAnswer>;
  portfolio(accountId?: string): Promise<Portfolio>;
  testConnection(): Promise<ConnectionReport>;
}

/** The last hour of resource samples and keep-alive latency (daemon/history). */
export type StatusHistoryPort = Pick<StatusHistory, 'read'>;

/** What the routes need of the notifier (daemon/notify/notifier.ts implements it). */
export interface NotifierPort {
  status(): NotifierStatus;
  test(channel: string): Promise<TestResult>;
}

declare module 'fastify' {
  interface FastifyInstance {
    daemonInfo: DaemonInfoPort;
    supervisor: SupervisorPort;
    eventStore: EventStorePort;
    gateway: GatewayPort;
    session: SessionPort | null;
    notifier: NotifierPort;
    /** The credential vault; null when the daemon runs without one (its routes answer IBGW_VAULT_DISABLED). */
    vault: VaultPort | null;
    ibkr: IbkrPort;
    metrics: MetricsPort;
    tokens: TokensPort | null;
    statusHistory: StatusHistoryPort;
    /** The browser login driver; null when the daemon has none (its route answers 409). */
    login: LoginPort | null;
  }
}

/** What buildApp is given: every port the routes may use, in one object. */
export interface ApiServices {
  config: () => Config;
  configStatus: () => unknown;
  supervisor: SupervisorPort;
  store: Store;
  gatewayInfo: () => Record<string, unknown>;
  session: SessionPort | null;
  /** Null for gateway.kind command: the daemon then manages no conf.yaml. */
  access: AccessPort | null;
  tls: TlsPort | null;
  conf: ConfPort | null;
  daemon: { pid: number; version: string; startedAt: number };
  notifier: NotifierPort;
  vault: VaultPort | null;
  /** Absent: maintenance routes answer 409 IBGW_MAINTENANCE_UNAVAILABLE. */
  maintenance?: MaintenancePorts;
  /** Absent: an empty history (the routes answer with no samples). */
  statusHistory?: StatusHistoryPort;
  login?: LoginPort | null;
  adminToken: string;
  ibkr: IbkrPort;
  metrics: MetricsPort;
  /** Null: only the admin token is accepted. */
  tokens?: TokensPort | null;
}
