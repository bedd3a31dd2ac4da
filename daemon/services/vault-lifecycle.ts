import { join } from 'node:path';
import type { DaemonContext } from '../lifecycle/daemon-context.js';
import type { ConfigUpdate, Service } from '../lifecycle/service.js';
import { VaultService } from '../vault/vault-service.js';

/**
 * The credential vault in the daemon's list. Its start never fails the daemon: a missing or
 * wrong key is a `vault.unavailable` event, and everything that needs no secret keeps working.
 */
export class VaultLifecycle implements Service {
  readonly name = 'vault';
  readonly dependsOn = ['daemon'];
  readonly vault: VaultService;

  constructor(ctx: DaemonContext) {
    const config = ctx.config();
    this.vault = new VaultService({
      dataDir: config.dataDir, keyFile: config.vault.keyFile, dotEnvPath: join(ctx.cwd, '.env'), env: ctx.env,
      logger: ctx.child('vault'), onEvent: ctx.record,
    });
  }

  async start(): Promise<void> {
    await this.vault.start();
  }

  async stop(): Promise<void> {
    await this.vault.stop();
  }

  async reconfigure({ next }: ConfigUpdate): Promise<void> {
    this.vault.reconfigure({ keyFile: next.vault.keyFile });
  }
}
