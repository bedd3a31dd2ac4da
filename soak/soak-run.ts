/**
 * One soak run, start to end: the environment and the daemon under pm2, the checkers, the
 * apps, the login stand-in, the injector until the time is up, a drain, the final checks, the
 * teardown (pm2 stops the daemon, which must leave no gateway process behind) and the report.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageVersion } from '../daemon/package-root.js';
import { waitFor } from '../testkit/wait-for.js';
import { AppLoad } from './app-load.js';
import { apps } from './apps.js';
import type { SoakArgs } from './args.js';
import { detectCapabilities } from './capabilities.js';
import { Checkers } from './checkers.js';
import { prepareEnvironment, startDaemon, teardown, type SoakEnvironment } from './environment.js';
import { catalog, Schedule } from './faults/catalog.js';
import type { Capability, Pace, SoakContext } from './faults/fault.js';
import { Injector } from './injector.js';
import { LoginOperator } from './login-operator.js';
import { faultFigures, type SoakReport } from './report.js';
import { SOAK_TIMINGS } from './soak-config.js';
import { round } from './stats.js';
import { TwsSide } from './tws-side.js';
import { UpdateDaemon } from './update-daemon.js';
import type { ResourceJudgement } from './invariants/resource-monitor.js';
import { Violations, type StepCursor } from './violations.js';

/** Short runs (CI) pack the faults closer, so two minutes still meet many kinds. */
export function paceFor(minutes: number): Pace {
  const dense = minutes < 10;
  return {
    gapMs: (rng) => (dense ? rng.int(200, 1_000) : rng.int(300, 1_500)),
    holdMs: (rng) => (dense ? rng.int(1_500, 4_000) : rng.int(2_000, 6_000)),
    compound: 0.75,
  };
}

function context(env: SoakEnvironment, checkers: Checkers, pace: Pace, updates: UpdateDaemon | null, tws: TwsSide | null): SoakContext {
  return {
    api: env.api, gateway: env.gateway, config: env.config, receiver: env.receiver, pm2: env.pm2,
    logins: checkers.logins, dataDir: env.dataDir, pace, identity: env.identity, updates, tws,
    gatewayPid: async () => {
      const s = await env.api.status();
      return s?.gateway?.state === 'running' ? s.gateway.pid : null;
    },
    daemonPid: () => {
      try {
        return Number(readFileSync(join(env.dataDir, 'daemon.pid'), 'utf8').trim()) || null;
      } catch {
        return null;
      }
    },
  };
}

/** After the last step: the outbox drains, the event tail catches up, every check runs once more. */
async function drain(env: SoakEnvironment, checkers: Checkers, tws: TwsSide | null): Promise<void> {
  await waitFor(async () => {
    const since = checkers.events.sinceId();
    const r = await env.api.get(`/api/v1/events?sinceId=${since}&limit=1000`, { admin: true });
    if (r.status === 200) checkers.events.add(r.body.events, since);
    await checkers.notifications.check();
    return checkers.notifications.pending === 0 && !env.receiver.isDown;
  }, 45_000, 'the notification outbox drained', 1_000).catch(() => {});
  checkers.final();
  tws?.final();
}

/** Ctrl-C or a TERM mid-run: the daemon, its gateway and pm2 must not outlive the soak. */
function teardownOnSignal(env: SoakEnvironment, keep: boolean, updates: UpdateDaemon | null, tws: TwsSide | null): () => void {
  const handler = (signal: NodeJS.Signals) => {
    console.error(`soak: ${signal}: stopping the daemons and pm2`);
    void Promise.all([teardown(env, keep), updates?.stop(), tws?.daemon.stop()]).finally(() => process.exit(130));
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/**
 * The run starts once the daemon has logged in. When it never does (no Chromium for the login
 * driver, say), the daemon's own session reason says why — not just "timed out".
 */
async function firstSession(env: SoakEnvironment): Promise<void> {
  try {
    await waitFor(async () => (await env.api.get('/readyz')).status === 200, 90_000, 'the first authenticated session', 500);
  } catch (err) {
    const status = (await env.api.get('/api/v1/session', { timeoutMs: 5_000 }).catch(() => null))?.body?.status;
    if (!status) throw err;
    throw new Error(`${(err as Error).message}: the session is ${status.state}: ${status.reason}`, { cause: err });
  }
}

export async function runSoak(args: SoakArgs): Promise<SoakReport> {
  const startedAt = Date.now();
  const deadline = startedAt + args.minutes * 60_000;
  const cursor: StepCursor = { index: -1, fault: null };
  const violations = new Violations(args.seed, startedAt, cursor);
  const env = await prepareEnvironment();
  const checkers = new Checkers(env, violations, startedAt);
  const pace = paceFor(args.minutes);
  let operator: LoginOperator | null = null;
  let load: AppLoad | null = null;
  // The update faults' own daemon, only when they may be scheduled: it costs a second daemon and gateway.
  const updates = !args.faults || args.faults.includes('update-fails-health-gate') ? new UpdateDaemon(env.dir) : null;
  // The IB Gateway kind's daemon, likewise only when one of its faults may be scheduled.
  const tws = !args.faults || args.faults.some((f) => f.startsWith('tws-')) ? new TwsSide(env.dir, violations) : null;
  const releaseSignals = teardownOnSignal(env, args.keep, updates, tws);
  try {
    await Promise.all([startDaemon(env), updates?.start(), tws?.daemon.start()]);
    updates?.api.observe(checkers.api.observe);
    tws?.daemon.api.observe(checkers.api.observe);
    const capabilities = await detectCapabilities(env.api, updates, tws?.daemon ?? null);
    const { faults, skipped } = catalog(capabilities, args.faults);
    // Stand-in for the unattended login until the daemon has its own.
    if (!capabilities.has('loginDriver')) {
      operator = new LoginOperator(env.api, env.gateway, env.identity.username, env.identity.password);
      operator.start();
    }
    checkers.start();
    tws?.start();
    const appList = await apps({ account: env.identity.account, api: env.api, gateway: env.gateway, readiness: checkers.readiness, events: checkers.events, notifications: checkers.notifications, capabilities });
    if (tws && capabilities.has('ibGateway')) appList.push(...tws.apps());
    load = new AppLoad(appList);
    await firstSession(env);
    load.start();
    console.log(`soak: seed ${args.seed}, ${args.minutes} min, data in ${env.dir}; faults: ${faults.map((f) => f.name).join(', ')}`);
    const ctx = context(env, checkers, pace, updates, tws);
    const injector = new Injector(ctx, new Schedule(args.seed, faults), faults, violations, cursor, checkers.processes);
    await injector.run({ seed: args.seed, fromStep: args.fromStep, steps: args.steps, deadline, startedAt });
    cursor.index = -1;
    cursor.fault = 'end of run';
    await load.stop();
    await drain(env, checkers, tws);
    checkers.stop();
    tws?.stop();
    return await finish(env, checkers, violations, { args, startedAt, capabilities, skipped, faults, records: injector.records, load, operator, updates, tws });
  } finally {
    checkers.stop();
    tws?.stop();
    operator?.stop();
    await load?.stop();
    await updates?.stop();
    await tws?.daemon.stop();
    // A run with a violation keeps its data dir, pm2 logs and gateway logs for the post-mortem.
    const keep = args.keep || violations.list.length > 0;
    await teardown(env, keep);
    if (keep) console.log(`soak: kept ${env.dir}`);
    releaseSignals();
  }
}

interface Outcome {
  args: SoakArgs;
  startedAt: number;
  capabilities: Set<Capability>;
  skipped: Array<{ fault: string; needs: Capability }>;
  faults: ReturnType<typeof catalog>['faults'];
  records: Injector['records'];
  load: AppLoad;
  operator: LoginOperator | null;
  updates: UpdateDaemon | null;
  tws: TwsSide | null;
}

function rssParts(p: { anonymous: number | null; fileBacked: number | null }) {
  return { anonymousSlopeMbPerHour: round(p.anonymous, 2), fileBackedSlopeMbPerHour: round(p.fileBacked, 2) };
}

function growthFigures(g: ResourceJudgement['rss']) {
  return g && { perHour: round(g.perHour, 2), interval95: [round(g.low, 2), round(g.high, 2)], points: g.points, verdict: g.verdict };
}

async function finish(env: SoakEnvironment, checkers: Checkers, violations: Violations, o: Outcome): Promise<SoakReport> {
  const pm2App = await env.pm2.app().catch(() => null);
  // pm2 stops the daemon (SIGINT): it must take its gateway group with it.
  await env.pm2.kill();
  await checkers.processes.checkAllGone(15_000);
  if (o.updates) {
    // Stopped (SIGTERM), the update daemon must take its gateway group with it too.
    await o.updates.stop();
    await waitFor(async () => o.updates!.leftovers().length === 0, 15_000, 'the update daemon\'s processes gone', 250)
      .catch(() => violations.record('orphan-process', `processes left in the update daemon's data dir after it stopped: ${o.updates!.leftovers().join(', ')}`, { key: 'update-daemon end' }));
  }
  if (o.tws) {
    // Stopped (SIGTERM), the IB Gateway daemon must take IBC and the gateway with it.
    await o.tws.daemon.stop();
    await o.tws.processes.checkAllGone(15_000, 'the IB Gateway daemon stopped');
  }
  const limits = { minSpanMs: 10 * 60_000, rssMbPerHour: 1, fdsPerHour: 6 };
  const judgement = checkers.resources.judge(limits, violations);
  const c = checkers;
  return {
    schema: 'ibgw.soak-report/1', seed: o.args.seed, minutes: o.args.minutes,
    startedAt: new Date(o.startedAt).toISOString(), durationMs: Date.now() - o.startedAt,
    build: { version: packageVersion, capabilities: [...o.capabilities], skippedFaults: o.skipped },
    ...faultFigures(o.records, o.faults),
    steps: o.records,
    requests: { ...o.load.summary(), api: { total: c.api.total, documented503: c.api.documented503, undocumented5xx: c.api.undocumented5xx, passedOn: Object.fromEntries(c.api.passedOn), byRoute: c.api.summary() } },
    logins: {
      operator: o.operator ? { logins: o.operator.logins, failures: o.operator.failures } : null,
      daemon: { attempts: c.logins.attempts.size, maxInHour: c.logins.maxInHour, maxInDay: c.logins.maxInDay, budget: c.logins.budget, blocks: c.logins.blocks.length },
      ibGateway: o.tws && { attempts: o.tws.logins.attempts.size, maxInHour: o.tws.logins.maxInHour, maxInDay: o.tws.logins.maxInDay, budget: o.tws.logins.budget, blocks: o.tws.logins.blocks.length },
    },
    rssSlopeMbPerHour: round(c.resources.rssSlopeMbPerHour(), 2),
    fdSlopePerHour: round(c.resources.fdSlopePerHour(), 2),
    resources: {
      judged: judgement.judged, judgedSpanMs: c.resources.spanMs(), timings: c.resources.timings, last: c.resources.last(),
      limits: { rssMbPerHour: limits.rssMbPerHour, fdsPerHour: limits.fdsPerHour },
      rss: growthFigures(judgement.rss), fds: growthFigures(judgement.fds),
      allSegments: { rssSlopeMbPerHour: round(c.resources.rssSlopeMbPerHour(true), 2), fdSlopePerHour: round(c.resources.fdSlopePerHour(true), 2) },
      heapKeptSlopeMbPerHour: round(c.resources.heapSlopeMbPerHour(), 2),
      rssParts: rssParts(c.resources.rssPartSlopesMbPerHour()),
      segments: c.resources.describe(),
    },
    checks: {
      readiness: { samples: c.readiness.samples, mismatches: c.readiness.mismatches, longestStaleMs: c.readiness.longestStaleMs, graceMs: c.readiness.graceMs, notReadyButWorking: c.readiness.pessimistic },
      events: { polls: c.events.polls, lastId: c.events.lastId, runningTransitions: c.events.runningTransitions, byType: Object.fromEntries(c.events.byType) },
      notifications: c.notifications.summary(),
      processes: { scans: c.processes.scans, maxGatewayGroups: c.processes.maxGroups, helpersSeenAfterSteps: c.processes.helpersSeen },
      secrets: { files: c.secrets.filesScanned.size, bytes: c.secrets.bytesScanned, filesHoldingSecrets: c.secrets.secretFiles },
      stateFiles: { reads: c.stateFiles.reads, files: c.stateFiles.files.size },
      pm2: pm2App ? { restarts: pm2App.restarts, status: pm2App.status } : null,
      timings: SOAK_TIMINGS,
      ibGateway: o.tws && {
        readiness: { samples: o.tws.readiness.samples, mismatches: o.tws.readiness.mismatches, longestStaleMs: o.tws.readiness.longestStaleMs, graceMs: o.tws.readiness.graceMs, notReadyButWorking: o.tws.readiness.pessimistic },
        events: { polls: o.tws.events.polls, lastId: o.tws.events.lastId },
        processes: { scans: o.tws.processes.scans, maxGatewayGroups: o.tws.processes.maxGroups },
        secrets: { files: o.tws.secrets.filesScanned.size, bytes: o.tws.secrets.bytesScanned, filesHoldingSecrets: o.tws.secrets.secretFiles },
        stateFiles: { reads: o.tws.stateFiles.reads, files: o.tws.stateFiles.files.size },
      },
    },
    violations: violations.list,
  };
}
