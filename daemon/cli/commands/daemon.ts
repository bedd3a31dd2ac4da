import { startDaemon } from '../../main.js';
import { parseCommon } from '../args.js';

/**
 * Runs the daemon in the foreground (what `npm start`, pm2 and systemd run). SIGTERM and
 * SIGINT (pm2 sends SIGINT) stop the gateway group, flush the store and exit 0; if that
 * takes longer than the budget, exit 1 anyway so the service manager is not left waiting —
 * the lifeline still takes the gateway group down after the daemon is gone.
 */
export async function daemonCommand(argv: string[]): Promise<number> {
  const args = parseCommon(argv);
  const daemon = await startDaemon({ configFile: args.config });
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
