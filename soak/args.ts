/**
 * `npm run soak -- --minutes N [--seed S] [--report FILE] [--from-step K] [--steps N] [--keep]`
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';

export interface SoakArgs {
  minutes: number;
  seed: string;
  report: string | null;
  /** The first step's index: steps draw from their own streams, so a step can be replayed alone. */
  fromStep: number;
  /** Stop after this many steps (null: when the time is up). */
  steps: number | null;
  /** Keep the temp dir (data dir, pm2 logs) after the run. */
  keep: boolean;
  /** Only these faults (names), e.g. to study one; null: every fault the daemon supports. */
  faults: string[] | null;
}

export const USAGE = `usage: npm run soak -- [--minutes N] [--seed S] [--report FILE] [--from-step K] [--steps N] [--faults A,B] [--keep]
  --minutes N     how long faults are injected (default 30)
  --seed S        the fault schedule's seed (default: random, printed and in the report)
  --report FILE   write the JSON report there
  --from-step K   start at step K of the schedule (replay: --seed S --from-step K --steps 1)
  --steps N       stop after N steps
  --faults A,B    only these faults (another schedule than the full one for the same seed)
  --keep          keep the run's temp dir (data dir, pm2 and gateway logs)`;

function positiveNumber(name: string, raw: string | undefined, fallback: number, integer = false): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new Error(`--${name}: expected a ${integer ? 'whole ' : ''}number ≥ 0, got ${JSON.stringify(raw)}\n${USAGE}`);
  }
  return value;
}

export function parseSoakArgs(argv: string[]): SoakArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string' }, seed: { type: 'string' }, report: { type: 'string' },
      'from-step': { type: 'string' }, steps: { type: 'string' }, keep: { type: 'boolean' }, faults: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) throw new Error(USAGE);
  const minutes = positiveNumber('minutes', values.minutes, 30);
  if (minutes === 0) throw new Error(`--minutes: must be more than 0\n${USAGE}`);
  return {
    minutes,
    seed: values.seed ?? randomBytes(4).toString('hex'),
    report: values.report ?? null,
    fromStep: positiveNumber('from-step', values['from-step'], 0, true),
    steps: values.steps === undefined ? null : positiveNumber('steps', values.steps, 0, true),
    keep: values.keep ?? false,
    faults: values.faults ? values.faults.split(',').map((f) => f.trim()).filter(Boolean) : null,
  };
}
