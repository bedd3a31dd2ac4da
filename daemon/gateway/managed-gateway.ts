import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AccessService } from '../access/access-service.js';
import { listsOf } from '../access/guarantees.js';
import type { Config } from '../config/types.js';
import { TlsService } from '../tls/tls-service.js';
import { ConfDocument } from './conf-document.js';
import { ConfService } from './conf-service.js';
import { checkClientportalHome, clientportalArgv, clientportalLayout, resolveJava, stageConfDir } from './kinds/clientportal.js';
import { bundledTemplate, newControlToken, simulatedArgv, simulatedLayout, writeSimConfig } from './kinds/simulated.js';
import type { LaunchSpec } from './launch-spec.js';
import { createRedactor } from './redact.js';
import type { GatewayDeps, GatewayInfo, ManagedGateway } from './types.js';

/** Hosts the server certificate must name: tls.hosts plus the host the daemon dials. */
function certificateHosts(config: Config): string[] {
  const host = config.gateway.host;
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  return [...new Set([...config.tls.hosts, ...(wildcard ? [] : [host])])];
}

/** Kinds simulated and clientportal: the daemon manages conf.yaml, keystore and allow/deny. */
export function managedGateway(config: Config, deps: GatewayDeps): ManagedGateway {
  const gw = config.gateway;
  const simulated = gw.kind === 'simulated';
  const sim = simulatedLayout(deps.dataDir);
  const cp = clientportalLayout(deps.dataDir);
  // Gateway versions (daemon/maintenance/versions) may name another folder at each launch.
  const currentHome = (): string => (simulated ? sim.home : (deps.home?.() ?? gw.home ?? ''));
  const home = currentHome();
  const confPath = simulated ? sim.confPath : cp.confPath;
  const templatePath = config.conf.template ?? (simulated ? bundledTemplate() : join(home, 'root', 'conf.yaml'));
  const labelsPath = join(confPath, '..', 'access-labels.json');
  const controlToken = newControlToken();
  const baseUrl = `https://${gw.host}:${gw.port}`;

  const tls = config.tls.mode === 'gateway' ? null : new TlsService({
    dir: join(deps.dataDir, 'tls'), config: config.tls, hosts: certificateHosts(config), now: deps.now,
    onEvent: deps.onEvent, logger: deps.logger, requestRestart: deps.requestRestart, expiryCheckIntervalMs: deps.expiryCheckIntervalMs,
  });
  // Every secret this gateway's output could echo: keystore passwords (current and replaced),
  // the sslPwd of the conf (tls mode gateway), simulated users' passwords, the control token.
  const secrets = (): string[] => [...(tls?.passwords ?? []), ...conf.secrets, ...(simulated ? gw.simulator.users.map((u) => u.password) : []), controlToken];
  const redactLine = createRedactor(secrets);
  const conf: ConfService = new ConfService({
    confPath, templatePath, labelsPath, keepVersions: config.conf.keepVersions, driftPolicy: config.conf.driftPolicy,
    listenPort: gw.port, probeAddress: config.access.probeAddress, tls, redact: redactLine,
    onEvent: deps.onEvent, logger: deps.logger, requestRestart: deps.requestRestart, now: deps.now, watch: deps.watch,
  });
  const access = new AccessService({ conf, labelsPath, probeAddress: config.access.probeAddress, onEvent: deps.onEvent });

  async function kindArgv(): Promise<string[]> {
    if (simulated) {
      await writeSimConfig(sim.simConfigPath, gw.simulator, { token: controlToken, infoFile: sim.controlFile });
      return simulatedArgv(sim.simConfigPath);
    }
    const launchHome = currentHome();
    const { jar } = checkClientportalHome(launchHome || null);
    const doc = await conf.managed.document();
    await stageConfDir(launchHome, cp.confDir, doc?.get(['sslCert']));
    return clientportalArgv(await resolveJava(gw.env), cp.confDir, jar);
  }

  function readLists(): { allow: string[]; deny: string[] } {
    try {
      return listsOf(ConfDocument.parse(readFileSync(confPath, 'utf8')).get(['ips']));
    } catch {
      return { allow: [], deny: [] }; // not rendered yet
    }
  }

  return {
    conf,
    access,
    tls,
    async launch(): Promise<LaunchSpec> {
      if (!simulated) checkClientportalHome(currentHome() || null); // fail before touching anything
      await conf.prepare();
      tls?.startExpiryWatch();
      const argv = await kindArgv();
      // A user's own argv (a wrapper script) still gets the managed conf and keystore.
      const command = gw.command && gw.command.length > 0 ? [...gw.command] : argv;
      return { command, cwd: gw.cwd ?? currentHome(), env: { ...gw.env }, host: gw.host, port: gw.port };
    },
    baseUrl: () => baseUrl,
    ca: async () => (tls ? tls.ca() : null),
    redactLine,
    info(): GatewayInfo {
      return {
        kind: gw.kind, home: currentHome(), confPath, templatePath, baseUrl, customCommand: Boolean(gw.command?.length),
        tls: tls ? tls.summary() : { mode: 'gateway', caPath: null },
        // A getter: reading the lists parses conf.yaml (milliseconds), and GET /api/v1/status,
        // which apps poll, never shows them.
        get access() { return { probeAddress: config.access.probeAddress, ...readLists(), labelsPath }; },
        ...(simulated ? { simControlFile: sim.controlFile } : {}),
      };
    },
    async close(): Promise<void> {
      tls?.close();
      await conf.close();
    },
  };
}
