import type { FastifyInstance } from 'fastify';
import { resolveAdminToken } from '../api/admin-token.js';
import type { ApiServices } from '../api/services.js';
import { startServer } from '../api/server.js';
import type { DaemonContext } from '../lifecycle/daemon-context.js';
import type { Service } from '../lifecycle/service.js';
import { packageVersion } from '../package-root.js';

/**
 * The ports with their getters kept: a spread (`{ ...ports }`) would read each getter once, and
 * the API would serve the session keeper and gateway handle of its start for ever — a keeper
 * rebuilt by a session.* edit stayed "stopped" on /readyz and /api/v1/session (found by the soak).
 */
function withPorts<T extends object, U extends object>(ports: T, rest: U): T & U {
  return Object.defineProperties({ ...rest }, Object.getOwnPropertyDescriptors(ports)) as T & U;
}

/** The local API: listens on start (a busy port fails the daemon's start, naming it), closes on stop. */
export class ApiService implements Service {
  readonly name = 'api';
  readonly dependsOn: readonly string[];
  readonly #ctx: DaemonContext;
  readonly #ports: () => Omit<ApiServices, 'adminToken' | 'daemon' | 'config'>;
  #app: FastifyInstance | null = null;
  #url = '';
  #token = '';

  /** `ports` is read once at start; the ports themselves are getters onto the live services. */
  constructor(ctx: DaemonContext, dependsOn: string[], ports: () => Omit<ApiServices, 'adminToken' | 'daemon' | 'config'>) {
    this.#ctx = ctx;
    this.dependsOn = dependsOn;
    this.#ports = ports;
  }

  get app(): FastifyInstance {
    if (!this.#app) throw new Error('the API is not started');
    return this.#app;
  }

  get url(): string { return this.#url; }
  get adminToken(): string { return this.#token; }

  async start(): Promise<void> {
    const config = this.#ctx.config();
    const admin = resolveAdminToken(config.dataDir, this.#ctx.env);
    if (admin.source === 'generated') this.#ctx.logger.info({ file: admin.file }, 'generated an admin token (mode 0600)');
    this.#token = admin.token;
    const { app, url } = await startServer({
      host: config.api.host,
      port: config.api.port,
      logger: this.#ctx.logger,
      onEvent: this.#ctx.record,
      auth: { maxFailures: config.api.authMaxFailures, failureWindowMs: config.api.authFailureWindowMs, failureDelayMs: config.api.authFailureDelayMs },
      ui: {
        enabled: config.ui.enabled,
        idleMs: config.ui.sessionIdleMinutes * 60_000,
        maxAgeMs: config.ui.sessionMaxHours * 3_600_000,
        maxSessions: config.ui.maxSessions,
      },
      services: withPorts(this.#ports(), {
        config: () => this.#ctx.config(),
        daemon: { pid: process.pid, version: packageVersion, startedAt: this.#ctx.startedAt },
        adminToken: admin.token,
      }),
    });
    this.#app = app;
    this.#url = url;
    this.#ctx.logger.info({ url }, 'API listening');
  }

  async stop(): Promise<void> {
    await this.#app?.close();
  }
}
