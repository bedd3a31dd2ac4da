/**
 * A MaintenanceService on a real store in a temp dir, a fake clock, and whatever gateway the
 * test gives it (a recording stand-in for scheduling tests, the real Supervisor end to end).
 * `restartDaemon()` drops the service and store and opens new ones on the same data dir, the
 * way a daemon restart would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServiceEvent } from '../../daemon/events.js';
import { MaintenanceCalendar, type WindowSource } from '../../daemon/maintenance/calendar.js';
import type { GatewayControl } from '../../daemon/maintenance/change-runner.js';
import type { MaintenanceConfig } from '../../daemon/config/maintenance-schema.js';
import { MaintenanceService, type MaintenanceServiceOptions } from '../../daemon/maintenance/maintenance-service.js';
import type { ChangeTargets } from '../../daemon/maintenance/pending-changes.js';
import { Store } from '../../daemon/store/store.js';
import { FakeClock } from './fake-clock.js';

interface Tap { teardown(fn: () => unknown): void }

export function maintenanceConfig(over: Partial<MaintenanceConfig> = {}): MaintenanceConfig {
  return {
    noticeLeadMinutes: 15,
    maxWindowMinutes: 4320,
    overlapHorizonDays: 90,
    healthGate: { timeoutMs: 5000, stableMs: 0, pollMs: 20 },
    versions: { keep: 3 },
    updateCheck: { url: null, intervalMinutes: 1440, timeoutMs: 5000 },
    ...over,
  };
}

/** Records what the scheduler asks of the gateway; the state follows the calls. */
export class RecordingGateway implements GatewayControl {
  calls: string[] = [];
  constructor(public state = 'running', public reason = '') {}
  status() {
    return { state: this.state, reason: this.reason };
  }
  async start(reason: string) { this.calls.push(`start: ${reason}`); this.state = 'running'; }
  async stop(reason: string) { this.calls.push(`stop: ${reason}`); if (this.state !== 'fatal') this.state = 'stopped'; }
  async restart(reason: string) { this.calls.push(`restart: ${reason}`); this.state = 'running'; }
  async fail(reason: string) { this.calls.push(`fail: ${reason}`); this.state = 'fatal'; this.reason = reason; }
  only(verb: string): string[] {
    return this.calls.filter((c) => c.startsWith(`${verb}:`));
  }
}

export const noTargets: ChangeTargets = { conf: null, access: null, tls: null, versions: null };

export interface HarnessOptions extends Partial<Omit<MaintenanceServiceOptions, 'config' | 'store' | 'calendar' | 'gateway'>> {
  start: string | number;
  gateway?: GatewayControl;
  config?: Partial<MaintenanceConfig>;
  sources?: WindowSource[];
  dataDir?: string;
}

export interface MaintenanceHarness {
  service: MaintenanceService;
  store: Store;
  clock: FakeClock;
  gateway: GatewayControl;
  calendar: MaintenanceCalendar;
  events: ServiceEvent[];
  dataDir: string;
  settle(): Promise<void>;
  /** The events of one type, in order. */
  of(type: string): ServiceEvent[];
  advance(ms: number): Promise<void>;
  advanceTo(at: string | number): Promise<void>;
  /** Stop service + store, open new ones on the same dir (the clock and events carry on). */
  restartDaemon(over?: Partial<HarnessOptions>): Promise<MaintenanceHarness>;
}

export function tempDataDir(t: Tap): string {
  const dir = mkdtempSync(join(tmpdir(), 'ibgw-maint-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function maintenanceHarness(t: Tap, options: HarnessOptions, carried?: { clock: FakeClock; events: ServiceEvent[] }): Promise<MaintenanceHarness> {
  const dataDir = options.dataDir ?? tempDataDir(t);
  const clock = carried?.clock ?? new FakeClock(options.start);
  const events = carried?.events ?? [];
  const store = new Store({ dataDir, maxEvents: 1000 });
  await store.open();
  const gateway = options.gateway ?? new RecordingGateway();
  const calendar = new MaintenanceCalendar(options.sources ?? []);
  const { start: _s, gateway: _g, config, sources: _src, dataDir: _d, ...rest } = options;
  const service = new MaintenanceService({
    dataDir,
    config: () => maintenanceConfig(config),
    store,
    calendar,
    gateway,
    targets: () => noTargets,
    snapshots: { conf: () => null, tlsDir: () => null },
    now: clock.now,
    timers: clock,
    // Edges are computed exactly; the cap only matters for a wall clock that jumps. A small one
    // would make a month on the fake clock cost a hundred thousand looks.
    maxSleepMs: 6 * 3_600_000,
    onEvent: (e) => {
      events.push(e);
      if (process.env.IBGW_TEST_EVENTS) process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${e.type} ${e.message}\n`);
    },
    ...rest,
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await service.stop();
    await store.close();
  };
  t.teardown(stop);
  await service.start();
  const settle = () => service.settled();
  const h: MaintenanceHarness = {
    service, store, clock, gateway, calendar, events, dataDir, settle,
    of: (type) => events.filter((e) => e.type === type),
    advance: (ms) => clock.run(ms, settle),
    advanceTo: (at) => clock.runTo(at, settle),
    async restartDaemon(over = {}) {
      await settle();
      await stop();
      return maintenanceHarness(t, { ...options, ...over, dataDir }, { clock, events });
    },
  };
  await settle();
  return h;
}
