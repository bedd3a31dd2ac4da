import { EventEmitter } from 'node:events';
import type { Config } from '../config/types.js';
import { createGateway, type ManagedGateway } from '../gateway/index.js';
import type { TwsCredentials } from '../gateway/types.js';
import type { DaemonContext } from '../lifecycle/daemon-context.js';
import type { ConfigUpdate, Service } from '../lifecycle/service.js';

export interface GatewayServiceDeps {
  /** The IB Gateway kinds type the IBKR login into IBC's config.ini: the vault's credentials. */
  credentials?: () => Promise<TwsCredentials | null>;
  /** Called before each IB Gateway launch (each is a login): the session keeper's budget. */
  loginGate?: () => Promise<void>;
  /** Kind clientportal: the folder of the active gateway version, asked at each launch. */
  home?: () => string | null;
}

/**
 * The gateway kind's handle: how to launch it (conf.yaml, keystore, allow list), where to reach
 * it and how to verify it. A config edit that changes the launch replaces the handle and asks
 * for a planned restart ('restart-needed'); the supervisor service decides whether to act now.
 */
export class GatewayService extends EventEmitter<{ 'restart-needed': [reason: string] }> implements Service {
  readonly name = 'gateway';
  readonly dependsOn = ['store'];
  readonly #ctx: DaemonContext;
  #current: ManagedGateway;
  /** The gateway still running after a swap prints the old secrets until its restart. */
  #retired: ManagedGateway | null = null;

  readonly #deps: GatewayServiceDeps;

  constructor(ctx: DaemonContext, deps: GatewayServiceDeps = {}) {
    super();
    this.#ctx = ctx;
    this.#deps = deps;
    this.#current = this.#build(ctx.config());
  }

  #build(config: Config): ManagedGateway {
    return createGateway(config, {
      dataDir: config.dataDir,
      logger: this.#ctx.child('gateway'),
      onEvent: this.#ctx.record,
      requestRestart: (reason) => this.emit('restart-needed', reason),
      credentials: this.#deps.credentials,
      loginGate: this.#deps.loginGate,
      home: this.#deps.home,
    });
  }

  current(): ManagedGateway {
    return this.#current;
  }

  redactLine(line: string): string {
    return this.#current.redactLine(this.#retired ? this.#retired.redactLine(line) : line);
  }

  /** The new gateway is up: nothing prints the old secrets any more. */
  forgetRetired(): void {
    this.#retired = null;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    await this.#current.close();
  }

  async reconfigure({ next, paths }: ConfigUpdate): Promise<void> {
    const old = this.#current;
    this.#current = this.#build(next);
    this.#retired = old;
    await old.close();
    this.#ctx.record({ type: 'config.restart', level: 'info', message: `config change needs a gateway restart (${paths.join(', ')})`, data: { paths } });
    this.emit('restart-needed', `config changed: ${paths.join(', ')}`);
  }
}
