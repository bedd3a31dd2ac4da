/**
 * The soak's world: a temp dir with the daemon's config and data dir, credentials stored in the
 * vault through the CLI (`ibgw credentials set --password-stdin`, ENCRYPTION_KEY in the
 * environment), the webhook receiver, and the daemon started by pm2 from the shipped
 * ecosystem.config.js. Every secret is fresh per run, so finding one in a log is unambiguous.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../daemon/package-root.js';
import { VaultService } from '../daemon/vault/vault-service.js';
import { freePort } from '../testkit/ports.js';
import { waitFor } from '../testkit/wait-for.js';
import { ConfigFile } from './config-file.js';
import { DaemonApi } from './daemon-api.js';
import { GatewayAccess } from './gateway-access.js';
import { Pm2 } from './pm2.js';
import { daemonConfig, WEBHOOK_SECRET_NAME, type SoakIdentity, type SoakPorts } from './soak-config.js';
import { WebhookReceiver } from './webhook-receiver.js';

export interface SoakSecrets {
  ibkrPassword: string;
  encryptionKey: string;
  webhookSecret: string;
}

export interface SoakEnvironment {
  dir: string;
  dataDir: string;
  ports: SoakPorts;
  identity: SoakIdentity;
  secrets: SoakSecrets;
  config: ConfigFile;
  receiver: WebhookReceiver;
  pm2: Pm2;
  api: DaemonApi;
  gateway: GatewayAccess;
}

/** The caller's IBGW_* and ENCRYPTION_* variables must not reach the soak's daemons. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(IBGW_|ENCRYPTION_)/.test(k)) env[k] = v;
  return { ...env, NODE_OPTIONS: '', ...extra };
}

function storeCredentials(configPath: string, identity: SoakIdentity, encryptionKey: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, [join(packageRoot, 'dist/daemon/cli.js'), 'credentials', 'set', '--username', identity.username, '--password-stdin', '--mode', 'paper', '--config', configPath],
      { env: cleanEnv({ ENCRYPTION_KEY: encryptionKey }), timeout: 60_000 },
      (err, _stdout, stderr) => (err ? reject(new Error(`ibgw credentials set failed: ${stderr || err.message}`)) : resolve()));
    child.stdin!.end(`${identity.password}\n`);
  });
}

export async function prepareEnvironment(): Promise<SoakEnvironment> {
  const dir = mkdtempSync(join(tmpdir(), 'ibgw-soak-'));
  const dataDir = join(dir, 'data');
  const secrets: SoakSecrets = {
    ibkrPassword: `soak-${randomBytes(12).toString('hex')}`,
    encryptionKey: randomBytes(32).toString('hex'),
    webhookSecret: randomBytes(24).toString('base64url'),
  };
  const receiver = new WebhookReceiver(secrets.webhookSecret);
  await receiver.start();
  const ports: SoakPorts = { api: await freePort(), gateway: await freePort(), receiver: receiver.port };
  const identity: SoakIdentity = { username: 'soak', password: secrets.ibkrPassword, account: 'DU1234567' };
  const config = new ConfigFile(join(dir, 'ibgw.yaml'), daemonConfig(dataDir, ports, identity));
  config.restore();
  await storeCredentials(config.path, identity, secrets.encryptionKey);
  // No CLI for named secrets yet: the vault's own API, on the files, before the daemon starts.
  await new VaultService({ dataDir, env: { ENCRYPTION_KEY: secrets.encryptionKey }, dotEnvPath: join(dir, '.env') }).setSecret(WEBHOOK_SECRET_NAME, secrets.webhookSecret);
  const pm2 = new Pm2(join(dir, 'pm2'), cleanEnv({ IBGW_CONFIG: config.path, ENCRYPTION_KEY: secrets.encryptionKey }));
  return {
    dir, dataDir, ports, identity, secrets, config, receiver, pm2,
    api: new DaemonApi(ports.api, dataDir),
    gateway: new GatewayAccess(dataDir, ports.gateway, identity.account),
  };
}

export async function startDaemon(env: SoakEnvironment): Promise<void> {
  await env.pm2.start();
  await waitFor(async () => (await env.api.get('/healthz', { timeoutMs: 2_000 })).status === 200, 90_000, 'the daemon API under pm2', 250);
  await waitFor(async () => (await env.api.status())?.gateway?.state === 'running', 90_000, 'the gateway running', 250);
}

export async function teardown(env: SoakEnvironment, keep: boolean): Promise<void> {
  await env.pm2.kill();
  await env.receiver.close();
  if (!keep) rmSync(env.dir, { recursive: true, force: true, maxRetries: 3 });
}
