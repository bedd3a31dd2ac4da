/**
 * The floor in a process of its own, like the other peers: spawn, and spawn again the moment
 * the child exits. `node dist/bench/peers/bare-process.js <port> <fixture>` → prints "ready".
 */
import { startBareLoop } from './bare-loop.js';

const [port, fixture] = [Number(process.argv[2]), process.argv[3]];
const loop = startBareLoop([process.execPath, fixture], { ...process.env, PORT: String(port) });
process.once('SIGTERM', () => void loop.stop().then(() => process.exit(0)));
process.stdout.write('ready\n');
