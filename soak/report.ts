/**
 * The soak report: JSON for `--report FILE` (schema ibgw.soak-report/1) and a short summary
 * for people. Figures, not anecdotes: counts, medians and maxima, slopes, and every violation
 * with the seed and step that replay it.
 */
import type { AppLoadSummary } from './app-load.js';
import type { Fault } from './faults/fault.js';
import type { StepRecord } from './injector.js';
import type { Verdict } from './invariants/resource-monitor.js';
import { max, median, round } from './stats.js';
import type { Violation } from './violations.js';

export interface RecoveryFigures {
  count: number;
  recovered: number;
  withinBound: number;
  medianMs: number | null;
  maxMs: number | null;
  boundMs?: number;
}

export interface SoakReport {
  schema: 'ibgw.soak-report/1';
  seed: string;
  minutes: number;
  startedAt: string;
  durationMs: number;
  build: { version: string; capabilities: string[]; skippedFaults: Array<{ fault: string; needs: string }> };
  faults: { total: number; byType: Record<string, number> };
  recoveries: RecoveryFigures & { byType: Record<string, RecoveryFigures>; definitions: Record<string, { recovered: string; boundMs: number }> };
  steps: StepRecord[];
  requests: AppLoadSummary & { api: { total: number; documented503: number; undocumented5xx: number; /** IBKR's failures handed on (documented 502/504), by "METHOD route status code" */ passedOn: Record<string, number>; byRoute: Record<string, Record<string, number>> } };
  logins: Record<string, unknown>;
  rssSlopeMbPerHour: number | null;
  fdSlopePerHour: number | null;
  resources: Record<string, unknown>;
  checks: Record<string, unknown>;
  violations: Violation[];
}

interface GrowthFigures {
  perHour: number;
  interval95: [number, number];
  points: number;
  verdict: Verdict;
}

const VERDICTS = {
  within: 'the goal shown: the whole interval is at or below it',
  unresolved: 'not resolved: the interval holds the limit, only a longer run can tell',
  exceeds: 'grows: the whole interval is above the limit',
};

function growthLine(g: GrowthFigures | null, limit: number, unit: string): string {
  if (!g) return 'no floors to fit';
  return `${g.perHour} ${unit}/hour, 95 % interval ${g.interval95[0]} to ${g.interval95[1]} over ${g.points} windows; limit ${limit}: ${VERDICTS[g.verdict]}`;
}

export function recoveryFigures(records: StepRecord[], boundMs?: number): RecoveryFigures {
  const times = records.filter((r) => r.recoveryMs !== null).map((r) => r.recoveryMs!);
  return {
    count: records.length,
    recovered: times.length,
    withinBound: records.filter((r) => r.withinBound).length,
    medianMs: round(median(times), 0),
    maxMs: round(max(times), 0),
    ...(boundMs === undefined ? {} : { boundMs }),
  };
}

export function faultFigures(records: StepRecord[], faults: readonly Fault[]): Pick<SoakReport, 'faults' | 'recoveries'> {
  const byType: Record<string, number> = {};
  const recoveriesByType: Record<string, RecoveryFigures> = {};
  for (const f of faults) {
    const mine = records.filter((r) => r.faults.includes(f.name));
    if (mine.length === 0) continue;
    byType[f.name] = mine.length;
    recoveriesByType[f.name] = recoveryFigures(mine, f.boundMs);
  }
  const definitions = Object.fromEntries(faults.map((f) => [f.name, { recovered: f.recovered, boundMs: f.boundMs }]));
  return {
    faults: { total: records.reduce((n, r) => n + r.faults.length, 0), byType },
    recoveries: { ...recoveryFigures(records), byType: recoveriesByType, definitions },
  };
}

const s = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`);
const passedOnTotal = (byKey: Record<string, number>) => Object.values(byKey).reduce((a, b) => a + b, 0);

export function summaryText(r: SoakReport): string {
  const lines: string[] = [];
  lines.push(`soak: seed ${r.seed}, ${(r.durationMs / 60_000).toFixed(1)} min, ${r.faults.total} faults (build ${r.build.version}; capabilities: ${r.build.capabilities.join(', ') || 'none'})`);
  if (r.build.skippedFaults.length) lines.push(`  not on this build: ${r.build.skippedFaults.map((f) => `${f.fault} (needs ${f.needs})`).join(', ')}`);
  lines.push('faults and recoveries (count, recovered within bound, median, max, bound):');
  for (const [name, f] of Object.entries(r.recoveries.byType)) {
    lines.push(`  ${name.padEnd(24)} ${String(f.count).padStart(4)}  ${String(f.withinBound).padStart(4)}  ${s(f.medianMs).padStart(7)}  ${s(f.maxMs).padStart(7)}  ${s(f.boundMs ?? null).padStart(7)}`);
  }
  lines.push(`  ${'all'.padEnd(24)} ${String(r.recoveries.count).padStart(4)}  ${String(r.recoveries.withinBound).padStart(4)}  ${s(r.recoveries.medianMs).padStart(7)}  ${s(r.recoveries.maxMs).padStart(7)}`);
  const q = r.requests;
  lines.push(`app requests: ${q.total} (${q.served} served, ${q.failed} failed); daemon API calls ${q.api.total}: ${q.api.documented503} documented 503s, ${passedOnTotal(q.api.passedOn)} documented 502/504s, ${q.api.undocumented5xx} other 5xx`);
  for (const [why, n] of Object.entries(q.failures).slice(0, 8)) lines.push(`  failed ${String(n).padStart(5)}  ${why}`);
  const passedOn = Object.entries(q.api.passedOn);
  if (passedOn.length) lines.push(`IBKR's failures handed on by the pass-through routes (documented 502/504): ${passedOn.map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  lines.push(`logins: ${JSON.stringify(r.logins)}`);
  const sec = r.checks.secrets as { files: number; bytes: number; filesHoldingSecrets?: number } | undefined;
  if (sec) lines.push(`secrets: ${sec.files} log and store files (${sec.bytes} bytes) free of them; ${sec.filesHoldingSecrets ?? '-'} files holding one checked owner-only (mode 0600)`);
  const ibg = r.checks.ibGateway as { readiness: { samples: number; mismatches: number; longestStaleMs: number; graceMs: number }; events: { lastId: number }; processes: { maxGatewayGroups: number }; secrets: { files: number; bytes: number; filesHoldingSecrets: number }; stateFiles: { reads: number } } | null | undefined;
  if (ibg) {
    const rd = ibg.readiness;
    lines.push(`IB Gateway daemon: ${rd.samples} /readyz + TWS API sessions (ready while the session failed: ${rd.mismatches}, longest ${s(rd.longestStaleMs)}, grace ${s(rd.graceMs)}); events contiguous to id ${ibg.events.lastId}; at most ${ibg.processes.maxGatewayGroups} gateway group(s); ${ibg.secrets.files} log files (${ibg.secrets.bytes} bytes) free of its secrets, ${ibg.secrets.filesHoldingSecrets} files holding one checked owner-only; ${ibg.stateFiles.reads} state-file reads`);
  }
  const all = r.resources.allSegments as { rssSlopeMbPerHour: number | null; fdSlopePerHour: number | null };
  const t = r.resources.timings as { warmupMs: number; longMs: number; floorWindowMs: number };
  const min = (ms: number) => Math.round(ms / 60_000);
  const basis = `RSS floors and fd medians of ${min(t.floorWindowMs)}-min windows after a ${min(t.warmupMs)}-min warm-up, daemons sampled ≥ ${min(t.longMs)} min after it`;
  const judged = r.resources.judged === 'judged' ? `judged over ${min(Number(r.resources.judgedSpanMs))} min: ${basis}` : `not judged: too little time in ${basis}`;
  lines.push(`daemon RSS slope ${r.rssSlopeMbPerHour ?? '-'} MB/hour, fd slope ${r.fdSlopePerHour ?? '-'} /hour (${judged}); raw samples of every daemon past its warm-up: ${all.rssSlopeMbPerHour ?? '-'} MB/hour, ${all.fdSlopePerHour ?? '-'} fds/hour; last ${JSON.stringify(r.resources.last)}`);
  const limits = r.resources.limits as { rssMbPerHour: number; fdsPerHour: number } | undefined;
  if (limits && r.resources.judged === 'judged') {
    lines.push(`  RSS: ${growthLine(r.resources.rss as GrowthFigures | null, limits.rssMbPerHour, 'MB')}`);
    lines.push(`  fds: ${growthLine(r.resources.fds as GrowthFigures | null, limits.fdsPerHour, 'fds')}`);
  }
  const heapWindow = (t as { heapFloorWindowMs?: number }).heapFloorWindowMs;
  if (heapWindow) lines.push(`daemon V8 heap kept after full collections: ${r.resources.heapKeptSlopeMbPerHour ?? '-'} MB/hour over the floors of ${min(heapWindow)}-min windows (not judged: says whether a rising RSS is objects and code kept)`);
  const parts = r.resources.rssParts as { anonymousSlopeMbPerHour: number | null; fileBackedSlopeMbPerHour: number | null } | undefined;
  if (parts) lines.push(`daemon RSS by part, over the same floors (not judged): anonymous (V8's heap, malloc) ${parts.anonymousSlopeMbPerHour ?? '-'} MB/hour, file-backed (node's executable and libraries as their code is reached) ${parts.fileBackedSlopeMbPerHour ?? '-'} MB/hour`);
  lines.push(`violations: ${r.violations.length}`);
  for (const v of r.violations) lines.push(`  [${v.invariant}] step ${v.step} (${v.fault ?? '-'}): ${v.detail}${v.repeats ? ` (+${v.repeats} more)` : ''}\n    replay: ${v.replay}`);
  return lines.join('\n');
}
