import { join } from 'node:path';
import type { MaintenancePorts } from '../api/plugins/maintenance-ports.js';
import type { DaemonContext } from '../lifecycle/daemon-context.js';
import type { ConfigUpdate, Service } from '../lifecycle/service.js';
import { changeTargets, confSnapshot, tlsDirOf } from './maintenance-targets.js';
import type { MaintenanceCalendar } from '../maintenance/index.js';
import { MaintenanceService } from '../maintenance/maintenance-service.js';
import { UpdateCheck } from '../maintenance/versions/update-check.js';
import { GatewayVersions } from '../maintenance/versions/version-store.js';
import type { Notifier } from '../notify/index.js';
import type { Store } from '../store/store.js';
import type { Supervisor } from '../supervisor/index.js';
import type { VaultService } from '../vault/vault-service.js';
import type { GatewayService } from './gateway-service.js';
import type { Keeper } from './session-keepers.js';

export interface MaintenanceDeps {
  store: Store;
  calendar: MaintenanceCalendar;
  gateway: GatewayService;
  supervisor: Supervisor;
  session: () => Keeper | null;
  notifier: Notifier;
  vault: VaultService;
  versions: GatewayVersions;
}

/**
 * Admin maintenance windows (notice, actions, health gate, rollback), staged changes, and the
 * Client Portal Gateway versions with their optional update check. Started before the gateway:
 * a daemon restarted inside a `stop` window keeps it stopped, and a change interrupted by the
 * restart is gated (and rolled back) first.
 */
export class MaintenanceLifecycle implements Service {
  readonly name = 'maintenance';
  readonly dependsOn = ['store', 'calendar', 'gateway', 'supervisor', 'session', 'notifier', 'vault'];
  readonly service: MaintenanceService;
  readonly #ctx: DaemonContext;
  readonly #deps: MaintenanceDeps;
  readonly #updateCheck: UpdateCheck;
  /** Whether credentials are stored: the health gate then asks for an authenticated session. */
  #hasCredentials = false;

  /** Versions exist for the kind clientportal only; main.ts builds them before the gateway, which launches from the active one. */
  static versions(ctx: DaemonContext): GatewayVersions {
    return new GatewayVersions({
      dir: join(ctx.config().dataDir, 'versions'), keep: () => ctx.config().maintenance.versions.keep,
      enabled: () => ctx.config().gateway.kind === 'clientportal', onEvent: ctx.record,
    });
  }

  constructor(ctx: DaemonContext, deps: MaintenanceDeps) {
    this.#ctx = ctx;
    this.#deps = deps;
    const dataDir = ctx.config().dataDir;
    const versions = () => (this.#clientportal() ? deps.versions : null);
    this.service = new MaintenanceService({
      dataDir, config: () => ctx.config().maintenance, store: deps.store, calendar: deps.calendar, gateway: deps.supervisor,
      session: deps.session, hasCredentials: () => this.#hasCredentials, notifier: () => deps.notifier,
      targets: () => changeTargets(deps.gateway.current(), versions()),
      snapshots: { conf: () => confSnapshot(deps.gateway.current()), tlsDir: () => tlsDirOf(deps.gateway.current(), dataDir) },
      versions, onEvent: ctx.record, logger: ctx.child('maintenance'),
    });
    this.#updateCheck = new UpdateCheck({
      config: () => ctx.config().maintenance.updateCheck, versions: deps.versions, dir: join(dataDir, 'versions'),
      onEvent: ctx.record, logger: ctx.child('update-check'),
    });
    deps.vault.on('credentials-changed', (c) => { this.#hasCredentials = c.action !== 'cleared'; });
  }

  #clientportal(): boolean {
    return this.#ctx.config().gateway.kind === 'clientportal';
  }

  #checking(): boolean {
    return this.#clientportal() && this.#ctx.config().maintenance.updateCheck.url !== null;
  }

  /** What the API sees; getters, so a config edit that changes the kind is seen at once. */
  ports(): MaintenancePorts {
    return {
      maintenance: () => this.service,
      versions: () => (this.#clientportal() ? this.#deps.versions : null),
      updateCheck: () => (this.#checking() ? this.#updateCheck : null),
    };
  }

  async start(): Promise<void> {
    this.#hasCredentials = (await this.#deps.vault.status()).configured;
    await this.service.start();
    if (this.#checking()) await this.#updateCheck.start();
  }

  async stop(): Promise<void> {
    await this.#updateCheck.stop();
    await this.service.stop();
  }

  async reconfigure({ paths }: ConfigUpdate): Promise<void> {
    // Everything else under maintenance.* is read through the config getter at each use.
    if (!paths.some((p) => p.startsWith('maintenance.updateCheck'))) return;
    await this.#updateCheck.stop();
    if (this.#checking()) await this.#updateCheck.start();
  }
}
