import { Footprint } from '../../diagnostics/footprint.js';
import { missingNodeFlags } from '../../node-flags.js';
import { parseCommon } from '../args.js';

/** How long after the start the footprint's idle mark is taken: the first tickle and samples are done. */
const FOOTPRINT_IDLE_MS = 10_000;

/**
 * Runs the daemon in the foreground (what `npm start`, pm2 and systemd run). SIGTERM and
 * SIGINT (pm2 sends SIGINT) stop the gateway group, flush the store and exit 0; if that
 * takes longer than the budget, exit 1 anyway so the service manager is not left waiting —
 * the lifeline still takes the gateway group down after the daemon is gone.
 *
 * --footprint FILE writes the memory after each phase of the start and at idle (bench/idle.ts).
 */
export async function daemonCommand(argv: string[]): Promise<number> {
  const args = parseCommon(argv, { footprint: { type: 'string' } });
  const footprintFile = typeof args.values.footprint === 'string' ? args.values.footprint : null;
  const footprint = footprintFile ? new Footprint() : undefined;
  // Said once, at the start: a daemon run by a hand-written `node dist/daemon/cli.js daemon`
  // works, but idles 10–25 MB above the figure the README promises.
  const missing = missingNodeFlags(process.execArgv);
  if (missing.length > 0) {
    process.stderr.write(`ibgw: node was started without ${missing.join(' ')} (daemon/node-flags.ts): the daemon idles with more memory; npm start, the ibgw bin, ecosystem.config.js and scripts/ibgw.service pass them\n`);
  }
  footprint?.mark('node and the CLI');
  // Imported here, not above, so the footprint can tell the daemon's modules from Node's own.
  const { startDaemon } = await import('../../main.js');
  footprint?.mark('daemon modules');
  const daemon = await startDaemon({ configFile: args.config, footprint });
  if (footprint && footprintFile) {
    await footprint.write(footprintFile);
    setTimeout(() => {
      footprint.markIdle();
      footprint.write(footprintFile).catch((err: Error) => process.stderr.write(`ibgw: cannot write ${footprintFile}: ${err.message}\n`));
    }, FOOTPRINT_IDLE_MS).unref();
  }
  const stopped = new Promise<number>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      // A second Ctrl-C or TERM while stopping must not kill the daemon mid-stop.
      if (stopping) return;
      stopping = true;
      // Read now: the grace may have been changed by a config edit since the start.
      const budgetMs = daemon.config().gateway.stopGraceMs + 5000;
      const timer = setTimeout(() => resolve(1), budgetMs);
      daemon.shutdown(`signal ${signal}`).then(() => { clearTimeout(timer); resolve(0); }, () => { clearTimeout(timer); resolve(1); });
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  // pm2's wait_ready: the API answers from here on.
  process.send?.('ready');
  process.stdout.write(`ibgw daemon ${process.pid}: API ${daemon.apiUrl}\n`);
  return stopped;
}
