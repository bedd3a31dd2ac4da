/**
 * `npm run soak -- --minutes N [--seed S] [--report FILE]`: the soak and chaos run
 * (soak/README.md). Exit 0 with no violation, 1 with any, 2 when the run itself failed.
 */
import { writeFileSync } from 'node:fs';
import { parseSoakArgs } from './args.js';
import { summaryText } from './report.js';
import { runSoak } from './soak-run.js';

async function main(): Promise<number> {
  let args;
  try {
    args = parseSoakArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  const report = await runSoak(args);
  if (args.report) writeFileSync(args.report, JSON.stringify(report, null, 2) + '\n');
  console.log(summaryText(report));
  return report.violations.length === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (err) => {
  console.error(`soak: the run failed: ${(err as Error).stack ?? err}`);
  process.exit(2);
});
