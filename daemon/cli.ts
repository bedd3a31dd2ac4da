#!/usr/bin/env node
import { loadDotEnv } from './config/dotenv.js';
import { isIbgwError } from './errors.js';
import { accessCommand } from './cli/commands/access.js';
import { confCommand } from './cli/commands/conf.js';
import { credentialsCommand } from './cli/commands/credentials.js';
import { daemonCommand } from './cli/commands/daemon.js';
import { gatewayCommand } from './cli/commands/gateway.js';
import { keysCommand } from './cli/commands/keys.js';
import { statusCommand } from './cli/commands/status.js';
import { tlsCommand } from './cli/commands/tls.js';

const USAGE = `usage: ibgw <command> [options]

  daemon [--config PATH]                 run the daemon in the foreground (npm start)
  status [--json]                        daemon, gateway and session status
  gateway start|stop|restart [--reason]  act on the supervised gateway
  access list|add|remove|explain|suggest the gateway's IP allow/deny lists
  tls show|ca|renew|check                the gateway's TLS certificate
  conf show|diff|apply|versions|rollback the managed gateway conf.yaml
  credentials set|show|clear             the IBKR login kept in the encrypted vault
  keys generate|rotate                   the vault's encryption key (ENCRYPTION_KEY)

Every command takes --config PATH (default: IBGW_CONFIG, else the embedded default).
The CLI reads the admin token from IBGW_ADMIN_TOKEN or <dataDir>/admin-token.
A .env file in the working directory is read first (see .env.example).
`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  daemon: daemonCommand,
  status: statusCommand,
  gateway: gatewayCommand,
  access: accessCommand,
  tls: tlsCommand,
  conf: confCommand,
  credentials: credentialsCommand,
  keys: keysCommand,
};

async function main(argv: string[]): Promise<number> {
  // Before anything reads the environment: IBGW_*, IBKR_* from .env count like exported ones.
  loadDotEnv();
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
