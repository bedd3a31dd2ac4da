/**
 * The V8 flags every launcher of the daemon passes to node: `npm start` (package.json), the
 * `ibgw` bin (its shebang, daemon/cli.ts), pm2 (ecosystem.config.js reads this list) and
 * systemd (scripts/ibgw.service). test/daemon/node-flags.test.ts keeps the four in step.
 *
 * - A 1 MB young generation: the daemon allocates little per second, and V8's default
 *   semi-spaces alone hold ~25 MB resident.
 * - optimize-for-size: smaller code and objects where V8 has the choice.
 * - single-threaded: no V8 worker threads for compiling and marking; their stacks and
 *   per-thread buffers cost ~8 MB, and a heap of ~20 MB is marked on the main thread in
 *   a few milliseconds. The optimizing compiler stays (npm run bench: throughput unchanged).
 * - no-sparkplug: no baseline (Sparkplug) code between the interpreter and the optimizing
 *   compiler. V8 never drops a function's baseline code, nor the bytecode under it, so a daemon
 *   meeting a new code path now and then (a fault, a reload, a maintenance action) kept adding
 *   both: under the soak its code space went 2.3 MB at idle → 3.6 MB at minute 4 → 4.7 MB at
 *   minute 28; without, 0.5 → 0.9 → 1.4 MB, and the daemon's RSS sat ~7 MB lower all along
 *   (~3 MB at idle) for no more CPU. The optimizing compiler still takes the hot paths
 *   (npm run bench -- api: /api/v1/status within its run-to-run noise). soak/README.md, "Stop 26".
 *
 * Not here: --lite-mode (it turns WebAssembly off, and with it Node's fetch, which webhooks
 * and the update check use) and --no-opt (~5 MB less again, but the API serves a quarter of the
 * requests per second). README, "Footprint", has the figures.
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--optimize-for-size', '--single-threaded', '--no-sparkplug'];

/** The flags this process was started without (node's execArgv), in the list's order. */
export function missingNodeFlags(execArgv: readonly string[]): string[] {
  return DAEMON_NODE_FLAGS.filter((flag) => !execArgv.includes(flag));
}
