import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoginPort } from '../api/login-port.js';
import type { DaemonContext } from '../lifecycle/daemon-context.js';
import type { ConfigUpdate, Service } from '../lifecycle/service.js';
import { LoginDriver } from '../login/driver.js';
import { listScreenshots } from '../login/screenshots.js';
import type { VaultService } from '../vault/vault-service.js';
import type { GatewayService } from './gateway-service.js';

/**
 * The unattended browser login for the Client Portal kinds: the vault's credentials typed into
 * the gateway's own login page by headless Chromium, in a worker process started per attempt
 * (the daemon never loads the browser driver). With no credentials stored or Chromium missing,
 * the keeper does not try and says why in its needs-login reason: a login that cannot work
 * must not spend the login budget or end in gateway restarts.
 */
export class LoginLifecycle implements Service {
  readonly name = 'login';
  readonly dependsOn = ['gateway', 'vault'];
  readonly driver: LoginDriver;
  #browserMissing: string | null = null;
  #credentialsStored = false;
  readonly #vault: VaultService;
  readonly #dir: string;

  constructor(ctx: DaemonContext, deps: { gateway: GatewayService; vault: VaultService }) {
    this.#vault = deps.vault;
    this.#dir = join(ctx.config().dataDir, 'login');
    deps.vault.on('credentials-changed', (c) => { this.#credentialsStored = c.action !== 'cleared'; });
    const config = ctx.config();
    this.driver = new LoginDriver({
      config: config.login, dataDir: config.dataDir, ca: () => deps.gateway.current().ca(),
      credentials: async () => {
        const stored = await deps.vault.getCredentials();
        return stored ? { ...stored, totpSecret: stored.totpSecret ?? undefined } : null;
      },
      onEvent: ctx.record, logger: ctx.child('login'),
    });
  }

  /** Null when a login can run now; else what to install or store first. */
  readonly unavailable = (): string | null => {
    if (this.#browserMissing) return this.#browserMissing;
    return this.#credentialsStored ? null : 'no IBKR credentials stored (ibgw credentials set)';
  };

  /** The API's view: state, last attempt, and the failure screenshots by name (only names the driver wrote). */
  ports(): LoginPort {
    return {
      status: () => this.driver.status(),
      unavailable: this.unavailable,
      screenshots: () => listScreenshots(this.#dir),
      screenshot: async (name) => (listScreenshots(this.#dir).includes(name) ? readFile(join(this.#dir, name)).catch(() => null) : null),
    };
  }

  async start(): Promise<void> {
    await this.driver.start();
    this.#browserMissing = (await this.driver.available())?.message ?? null;
    this.#credentialsStored = (await this.#vault.status()).configured;
  }

  async stop(): Promise<void> {
    await this.driver.stop();
  }

  async reconfigure({ next }: ConfigUpdate): Promise<void> {
    this.driver.reconfigure(next.login);
    this.#browserMissing = (await this.driver.available())?.message ?? null;
  }
}
