#!/usr/bin/env node
import { isIbgwError } from './errors.js';
import { accessCommand } from './cli/commands/access.js';
import { confCommand } from './cli/commands/conf.js';
import { gatewayCommand } from './cli/commands/gateway.js';
import { maintenanceCommand } from './cli/commands/maintenance.js';
import { statusCommand } from './cli/commands/status.js';
import { tlsCommand } from './cli/commands/tls.js';

const USAGE = `usage: ibgw <command> [options]

  daemon [--config PATH]                 run the daemon in the foreground (npm start)
  status [--json]                        daemon, gateway and session status
  gateway start|stop|restart [--reason]  act on the supervised gateway
  gateway install|versions|use|check     Client Portal Gateway versions (kind clientportal)
  maintenance list|add|rm|skip|now|end|calendar|plan|pending|rollback|status
                                         maintenance windows, staged changes, rollback
  access list|add|remove|explain|suggest the gateway's IP allow/deny lists
  tls show|ca|renew|check                the gateway's TLS certificate
  conf show|diff|apply|versions|rollback the managed gateway conf.yaml

Every command takes --config PATH (default: IBGW_CONFIG, else the embedded default).
The CLI reads the admin token from IBGW_ADMIN_TOKEN or <dataDir>/admin-token.
`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  // The daemon (Fastify, supervisor, session …) is loaded only to run it, not for every `ibgw status`.
  daemon: async (argv) => (await import('./cli/commands/daemon.js')).daemonCommand(argv),
  status: statusCommand,
  gateway: gatewayCommand,
  access: accessCommand,
  tls: tlsCommand,
  conf: confCommand,
  maintenance: maintenanceCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`ibgw: unknown command ${JSON.stringify(name)}\n\n${USAGE}`);
    return 2;
  }
  return command(rest);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; if (process.argv[2] === 'daemon') process.exit(code); },
  (err: unknown) => {
    // Config and usage errors name the file, the key and what is wrong; no stack trace for those.
    const message = isIbgwError(err) ? `${err.message} [${err.code}]` : err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`ibgw: ${message}\n`);
    process.exit(isIbgwError(err) && err.code.startsWith('IBGW_CONFIG') ? 78 : 1);
  },
);
