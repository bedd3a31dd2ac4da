// pm2: `npx pm2 start ecosystem.config.js`.
// This package is ESM ("type": "module"); pm2 require()s this file, which Node 20.19+ allows for
// ES modules and hands over the module namespace — so the apps list is a named export.
//
// The daemon sends process.send('ready') once its API answers (wait_ready). On `pm2 stop` pm2
// sends SIGINT and the daemon stops the whole gateway group within gateway.stopGraceMs + 5 s;
// kill_timeout must be longer than that budget or pm2 would SIGKILL the daemon mid-stop (the
// lifeline would still take the gateway group down, but the store would not be flushed).
import { DAEMON_NODE_FLAGS } from './dist/daemon/node-flags.js';

export const apps = [
  {
    name: 'ibgw',
    script: './dist/daemon/cli.js',
    args: ['daemon'],
    cwd: import.meta.dirname,
    interpreter: 'node',
    // The V8 flags of every launcher, why each: daemon/node-flags.ts (npm run build first).
    node_args: [...DAEMON_NODE_FLAGS],
    // pm2 turns source maps on by default; the daemon would keep every module's map (and turns
    // them off again itself: daemon/source-maps.ts).
    disable_source_map_support: true,
    // Nor pm2's metrics agent (@pm2/io) in the daemon: ~2 MB, event-loop and HTTP samplers on
    // every request. The daemon has its own /metrics.
    pmx: false,
    exec_mode: 'fork',
    instances: 1,
    wait_ready: true,
    listen_timeout: 30000,
    kill_timeout: 15000,
    // The daemon restarts the gateway itself with capped backoff; pm2 only restarts the daemon.
    autorestart: true,
    max_restarts: 10,
    min_uptime: 5000,
    exp_backoff_restart_delay: 1000,
    env: {
      NODE_ENV: 'production',
      ...(process.env.IBGW_CONFIG ? { IBGW_CONFIG: process.env.IBGW_CONFIG } : {}),
    },
  },
];

export default { apps };
