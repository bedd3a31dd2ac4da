#!/usr/bin/env -S node --max-semi-space-size=1 --optimize-for-size --single-threaded --no-sparkplug
import { loadDotEnv } from './config/dotenv.js';
import { isIbgwError } from './errors.js';
import { dropUnaskedSourceMaps } from './source-maps.js';

const USAGE = `usage: ibgw <command> [options]

  daemon [--config PATH] [--footprint F] run the daemon in the foreground (npm start)
  status [--json]                        daemon, gateway and session status
  gateway start|stop|restart [--reason]  act on the supervised gateway
  gateway install|versions|use|check     Client Portal Gateway versions (kind clientportal)
  maintenance list|add|rm|skip|now|end|calendar|plan|pending|rollback|status
                                         maintenance windows, staged changes, rollback
  access list|add|remove|explain|suggest the gateway's IP allow/deny lists
  tls show|ca|renew|check                the gateway's TLS certificate
  conf show|diff|apply|versions|rollback the managed gateway conf.yaml
  credentials set|show|clear             the IBKR login kept in the encrypted vault
  keys generate|rotate                   the vault's encryption key (ENCRYPTION_KEY)
  notify test CHANNEL | status           send a test notification; channels and deliveries
  tokens create|list|revoke              app tokens (scope read or trade) for local apps

Every command takes --config PATH (default: IBGW_CONFIG, else the embedded default).
The CLI reads the admin token from IBGW_ADMIN_TOKEN or <dataDir>/admin-token.
A .env file in the working directory is read first (see .env.example).
`;

type Command = (argv: string[]) => Promise<number>;

// Loaded on use: `ibgw status` should not pay for loading the whole daemon (Fastify, the
// supervisor, the session keeper …), and the daemon not for the other commands.
const COMMANDS: Record<string, () => Promise<Command>> = {
  daemon: async () => (await import('./cli/commands/daemon.js')).daemonCommand,
  status: async () => (await import('./cli/commands/status.js')).statusCommand,
  gateway: async () => (await import('./cli/commands/gateway.js')).gatewayCommand,
  access: async () => (await import('./cli/commands/access.js')).accessCommand,
  tls: async () => (await import('./cli/commands/tls.js')).tlsCommand,
  conf: async () => (await import('./cli/commands/conf.js')).confCommand,
  credentials: async () => (await import('./cli/commands/credentials.js')).credentialsCommand,
  keys: async () => (await import('./cli/commands/keys.js')).keysCommand,
  notify: async () => (await import('./cli/commands/notify.js')).notifyCommand,
  maintenance: async () => (await import('./cli/commands/maintenance.js')).maintenanceCommand,
  tokens: async () => (await import('./cli/commands/tokens.js')).tokensCommand,
};

async function main(argv: string[]): Promise<number> {
  // Before anything reads the environment: IBGW_*, IBKR_* from .env count like exported ones.
  loadDotEnv();
  dropUnaskedSourceMaps();
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    process.stderr.write(`ibgw: unknown command ${JSON.stringify(name)}\n\n${USAGE}`);
    return 2;
  }
  return (await load())(rest);
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
