/**
 * The fault injector: step after step, a pause, one fault from the schedule — and in a share of
 * the steps a second one while the first is still on — their ends after the holds, then the wait
 * for recovery and the after-step checks (no orphan). Each step draws from its own seeded
 * stream (prng.ts), so a violation names a step that can be replayed alone.
 */
import type { Expectations, Fault, Injected, SoakContext } from './faults/fault.js';
import { sleep, TargetGone } from './faults/fault.js';
import type { Schedule } from './faults/catalog.js';
import type { ProcessInvariant } from './invariants/process-invariant.js';
import type { Prng } from './prng.js';
import { stepPrng } from './prng.js';
import { waitRecovered, type Before } from './recovery.js';
import type { StepCursor, Violations } from './violations.js';

export interface StepRecord {
  step: number;
  /** The faults injected in this step (one, or two for a compound step). */
  faults: string[];
  detail: string;
  /** ms since the run started. */
  injectedAt: number;
  /** When the last fault ended (healed), or the injection for instant faults. */
  endedAt: number;
  recovered: boolean;
  /** From the end of the faults to recovered. */
  recoveryMs: number | null;
  /** From the first injection to recovered. */
  outageMs: number | null;
  boundMs: number;
  withinBound: boolean;
  gatewayRestarted: boolean;
  daemonRestarted: boolean;
  /** A second fault that could not be injected (its target was already gone). */
  skipped?: string;
}

export interface InjectorOptions {
  seed: string;
  fromStep: number;
  steps: number | null;
  /** No step starts after this (Date.now()); a step whose bound does not fit ends the run. */
  deadline: number;
  startedAt: number;
}

interface Running {
  fault: Fault;
  injected: Injected;
  endsAt: number;
}

/** A compound step's bound: the longer of the two, plus time for the second fault's own recovery. */
const COMPOUND_EXTRA_MS = 20_000;

function mergeExpectations(list: Expectations[]): Expectations {
  // A restart is required if one fault requires it, and forbidden only if every fault forbids it.
  const restart = list.some((e) => e.gatewayRestart === true) ? true : list.every((e) => e.gatewayRestart === false) ? false : undefined;
  const extras = list.map((e) => e.extra).filter((x): x is NonNullable<Expectations['extra']> => x !== undefined);
  return {
    gatewayRestart: restart,
    daemonRestart: list.some((e) => e.daemonRestart) || undefined,
    extra: extras.length === 0 ? undefined : async () => {
      for (const extra of extras) {
        const missing = await extra();
        if (missing) return missing;
      }
      return null;
    },
  };
}

export class Injector {
  readonly records: StepRecord[] = [];
  readonly #ctx: SoakContext;
  readonly #schedule: Schedule;
  readonly #joiners: Fault[];
  readonly #violations: Violations;
  readonly #cursor: StepCursor;
  readonly #processes: ProcessInvariant;

  constructor(ctx: SoakContext, schedule: Schedule, faults: readonly Fault[], violations: Violations, cursor: StepCursor, processes: ProcessInvariant) {
    this.#ctx = ctx;
    this.#schedule = schedule;
    this.#joiners = faults.filter((f) => f.joins);
    this.#violations = violations;
    this.#cursor = cursor;
    this.#processes = processes;
  }

  async run(options: InjectorOptions): Promise<void> {
    for (let step = options.fromStep; options.steps === null || step - options.fromStep < options.steps; step++) {
      const fault = this.#schedule.faultAt(step);
      const rng = stepPrng(options.seed, step);
      const gap = this.#ctx.pace.gapMs(rng);
      const second = rng.chance(this.#ctx.pace.compound) ? this.#pickSecond(fault, rng) : null;
      // A step that cannot finish in time ends the run rather than being skipped: step N stays step N.
      if (Date.now() + gap + (fault.longestHoldMs ?? 0) + fault.boundMs / 2 > options.deadline) break;
      await sleep(gap);
      this.#cursor.index = step;
      this.#cursor.fault = second ? `${fault.name}+${second.fault.name}` : fault.name;
      const record = await this.#step(step, fault, second, rng, options.startedAt);
      this.records.push(record);
      const took = record.recoveryMs === null ? 'not recovered' : `recovered in ${(record.recoveryMs / 1000).toFixed(1)} s`;
      console.log(`soak: step ${step} ${record.faults.join(' + ')} (${record.detail}): ${took}${record.withinBound ? '' : ` — bound ${record.boundMs / 1000} s`}`);
    }
  }

  #pickSecond(first: Fault, rng: Prng): { fault: Fault; delayMs: number } | null {
    const candidates = this.#joiners.filter((f) => f.name !== first.name);
    return candidates.length === 0 ? null : { fault: rng.pick(candidates), delayMs: rng.int(0, 3_000) };
  }

  /** Injects; a failure of a step's first fault is a violation, a second fault's is only noted. */
  async #inject(fault: Fault, rng: Prng, first: boolean): Promise<Running | string> {
    try {
      const injected = await fault.inject(this.#ctx, rng);
      return { fault, injected, endsAt: Date.now() + (injected.holdMs ?? 0) };
    } catch (err) {
      const error = (err as Error).message;
      if (first || !(err instanceof TargetGone)) {
        if (first) this.#violations.record('fault-failed', `${fault.name} could not be injected: ${error}`, { key: `${fault.name} ${error}` });
      }
      return `${fault.name}: ${error}`;
    }
  }

  /**
   * Ends each fault when its hold is over, in order; a broken expectation is a violation. A
   * target that did not answer is asked again once the step's other faults have ended: it may
   * only have been frozen by one of them (a SIGSTOPped simulator cannot switch its 5xx off).
   */
  async #endAll(running: Running[]): Promise<void> {
    const unanswered: Running[] = [];
    const heal = async (r: Running, last: boolean): Promise<void> => {
      const broken = await r.injected.heal!().catch((err: Error) => (err instanceof TargetGone ? (last ? undefined : 'gone') : `ending the fault failed: ${err.message}`));
      if (broken === 'gone') unanswered.push(r);
      else if (typeof broken === 'string') this.#violations.record('expectation', `${r.fault.name}: ${broken}`);
    };
    for (const r of [...running].sort((a, b) => a.endsAt - b.endsAt)) {
      await sleep(Math.max(0, r.endsAt - Date.now()));
      if (r.injected.heal) await heal(r, false);
    }
    // Gone a second time: the daemon restarted the gateway meanwhile, and the fault went with it.
    for (const r of unanswered) await heal(r, true);
  }

  async #step(step: number, fault: Fault, second: { fault: Fault; delayMs: number } | null, rng: Prng, startedAt: number): Promise<StepRecord> {
    const ctx = this.#ctx;
    const before: Before = { gatewayPid: await ctx.gatewayPid(), daemonPid: ctx.daemonPid() };
    const injectedAt = Date.now();
    const firstRun = await this.#inject(fault, rng, true);
    const base = { step, injectedAt: injectedAt - startedAt, gatewayRestarted: false, daemonRestarted: false };
    if (typeof firstRun === 'string') {
      return { ...base, faults: [fault.name], detail: `not injected: ${firstRun}`, endedAt: Date.now() - startedAt, recovered: false, recoveryMs: null, outageMs: null, boundMs: fault.boundMs, withinBound: false };
    }
    const running = [firstRun];
    let skipped: string | undefined;
    if (second) {
      await sleep(second.delayMs);
      const secondRun = await this.#inject(second.fault, rng, false);
      if (typeof secondRun === 'string') skipped = secondRun;
      else running.push(secondRun);
    }
    await this.#endAll(running);
    // Once the first fault is over (a stopped gateway runs again), a half-injected second one is switched off.
    if (skipped && second?.fault.undo) await second.fault.undo(ctx).catch(() => {});
    const endedAt = Date.now();
    const boundMs = running.length > 1 ? Math.max(...running.map((r) => r.fault.boundMs)) + COMPOUND_EXTRA_MS : fault.boundMs;
    const expect = mergeExpectations(running.map((r) => r.injected.expect ?? {}));
    const result = await waitRecovered(ctx, before, expect, boundMs + 60_000);
    const record: StepRecord = {
      ...base, faults: running.map((r) => r.fault.name), detail: running.map((r) => r.injected.detail).join('; '),
      endedAt: endedAt - startedAt, recovered: result.recovered, recoveryMs: result.recovered ? result.ms : null,
      outageMs: result.recovered ? Date.now() - injectedAt : null, boundMs, withinBound: result.recovered && result.ms <= boundMs,
      gatewayRestarted: result.gatewayPid !== null && result.gatewayPid !== before.gatewayPid,
      daemonRestarted: result.daemonPid !== null && result.daemonPid !== before.daemonPid,
      ...(skipped ? { skipped } : {}),
    };
    this.#judge(record, expect, result.missing, before);
    if (result.recovered) await this.#processes.checkNoOrphans(result.gatewayPid);
    return record;
  }

  #judge(r: StepRecord, expect: Expectations, missing: string, before: Before): void {
    const what = `${r.faults.join(' + ')} (${r.detail})`;
    if (!r.withinBound) {
      const took = r.recovered ? `recovered in ${(r.recoveryMs! / 1000).toFixed(1)} s` : `not recovered after the bound + 60 s (${missing})`;
      this.#violations.record('recovery-bound', `${what}: ${took}, bound ${r.boundMs / 1000} s`, { key: `step ${r.step}` });
    }
    if (expect.gatewayRestart === false && r.gatewayRestarted) {
      this.#violations.record('unexpected-restart', `${what}: the gateway was restarted (pid ${before.gatewayPid} → a new one); it should have ridden it out`, { key: `step ${r.step}` });
    }
  }
}
