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
 *
 * Not here: --lite-mode (it turns WebAssembly off, and with it Node's fetch, which webhooks
 * and the update check use) and --no-opt (~8 MB less, but the API serves a quarter of the
 * requests per second). README, "Footprint", has the figures.
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--optimize-for-size', '--single-threaded'];

/** The flags this process was started without (node's execArgv), in the list's order. */
export function missingNodeFlags(execArgv: readonly string[]): string[] {
  return DAEMON_NODE_FLAGS.filter((flag) => !execArgv.includes(flag));
}
