/**
 * Maintenance end to end, wired the way the daemon wires it: a real gateway handle
 * (createGateway: managed conf, keystore, allow list), the real Supervisor running it (the
 * simulated gateway, or fixture clientportal distributions through a fake java), the gateway
 * versions, and the MaintenanceService on a fake scheduling clock. Planned restarts requested
 * by the conf/TLS services go to the supervisor only while it runs, like daemon/main.ts does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../daemon/config/types.js';
import type { ServiceEvent } from '../../daemon/events.js';
import { createGateway, type ManagedGateway } from '../../daemon/gateway/index.js';
import { changeTargets, confSnapshot, tlsDirOf } from '../../daemon/services/maintenance-targets.js';
import { GatewayVersions } from '../../daemon/maintenance/versions/version-store.js';
import { Supervisor } from '../../daemon/supervisor/index.js';
import { seedTls, testConfig } from '../fixtures/gateway/config.js';
import { FakeClock } from './fake-clock.js';
import { freePort } from '../../testkit/ports.js';
import { maintenanceHarness, tempDataDir, type HarnessOptions, type MaintenanceHarness } from './maintenance-harness.js';
import { groupPids, killQuietly } from './process-table.js';
import { baseOptions } from './supervisor-harness.js';

interface Tap { teardown(fn: () => unknown): void }

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };

export interface Stack {
  dataDir: string;
  config: Config;
  gateway: ManagedGateway;
  supervisor: Supervisor;
  versions: GatewayVersions | null;
  m: MaintenanceHarness;
  events: ServiceEvent[];
  confText(): string;
  /** A new supervisor + maintenance service on the same data dir: what a daemon restart does. */
  restartDaemon(): Promise<Stack>;
}

export interface StackOptions {
  config?: DeepPartial<Config>;
  startTimeoutMs?: number;
  maintenance?: Partial<HarnessOptions>;
  /** Called with the stack before the maintenance service starts (versions to install …). */
  before?: (s: Pick<Stack, 'versions' | 'dataDir'>) => Promise<void>;
}

export async function gatewayStack(t: Tap, options: StackOptions = {}, reuse?: { dataDir: string; m: MaintenanceHarness; events: ServiceEvent[] }): Promise<Stack> {
  const dataDir = reuse?.dataDir ?? tempDataDir(t);
  if (!reuse) await seedTls(dataDir);
  const port = await freePort();
  const config = testConfig(dataDir, { ...options.config, gateway: { port, stopGraceMs: 1000, ...options.config?.gateway } });
  const events: ServiceEvent[] = reuse?.events ?? [];
  const onEvent = (e: ServiceEvent) => {
    events.push(e);
    if (process.env.IBGW_TEST_EVENTS) process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${e.type} ${e.message}\n`);
  };
  const versions = config.gateway.kind === 'clientportal'
    ? new GatewayVersions({ dir: join(dataDir, 'versions'), keep: () => 5, enabled: () => true, onEvent })
    : null;
  // Before the gateway handle: like the daemon, which knows its versions before it builds the launch.
  if (!reuse) await options.before?.({ versions, dataDir });
  let supervisor: Supervisor | null = null;
  const gateway = createGateway(config, {
    dataDir, watch: false, onEvent,
    home: () => versions?.activeHome() ?? null,
    requestRestart: (reason) => {
      const state = supervisor?.status().state ?? 'stopped';
      if (['starting', 'running', 'backoff'].includes(state)) void supervisor!.restart(reason).catch(() => {});
      else onEvent({ type: 'gateway.restart-deferred', level: 'info', message: reason, data: { reason } });
    },
  });
  supervisor = new Supervisor({
    ...baseOptions(dataDir, { startTimeoutMs: options.startTimeoutMs ?? 30_000, stopGraceMs: 1000 }),
    launch: () => gateway.launch(),
    redactLine: (line) => gateway.redactLine(line),
    onEvent,
  });
  const sup = supervisor;
  const groups = new Set<number>();
  sup.on('transition', (e) => { if (e.pid) groups.add(e.pid); });
  t.teardown(async () => {
    await sup.close().catch(() => {});
    await gateway.close();
    for (const g of groups) killQuietly({ groups: [g], pids: groupPids(g) });
  });
  const maintenanceOptions: HarnessOptions = {
    start: Date.now(),
    ...options.maintenance,
    gateway: sup,
    dataDir,
    targets: () => changeTargets(gateway, versions),
    snapshots: { conf: () => confSnapshot(gateway), tlsDir: () => tlsDirOf(gateway, dataDir) },
    versions: () => versions,
  };
  const m = reuse ? await reuse.m.restartDaemon(maintenanceOptions) : await maintenanceHarness(t, maintenanceOptions, { clock: new FakeClock(maintenanceOptions.start), events });
  const stack: Stack = {
    dataDir, config, gateway, supervisor: sup, versions, m, events,
    confText: () => readFileSync(gateway.info().confPath!, 'utf8'),
    async restartDaemon() {
      await m.settle();
      await sup.close();
      await gateway.close();
      return gatewayStack(t, options, { dataDir, m, events });
    },
  };
  return stack;
}
