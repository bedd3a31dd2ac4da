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
  const budgetMs = daemon.config().gateway.stopGraceMs + 5000;
  const stopped = new Promise<number>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      const timer = setTimeout(() => resolve(1), budgetMs);
      daemon.shutdown(`signal ${signal}`).then(() => { clearTimeout(timer); resolve(0); }, () => { clearTimeout(timer); resolve(1); });
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  // pm2's wait_ready: the API answers from here on.
  process.send?.('ready');
  process.stdout.write(`ibgw daemon ${process.pid}: API ${daemon.apiUrl}\n`);
  return stopped;
}
