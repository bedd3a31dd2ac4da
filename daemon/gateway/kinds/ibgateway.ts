/**
 * The IB Gateway kinds' files and command line. The daemon starts IBC's scripts/ibcstart.sh
 * itself rather than gatewaystart.sh: gatewaystart.sh keeps its settings (IBC_INI, TWS_PATH …)
 * as variables inside the script, so it cannot be pointed at the managed config.ini without
 * editing the user's copy. ibcstart.sh is what gatewaystart.sh -inline ends up running, with
 * the same arguments; like it, it does not exec java, so the whole group is signalled.
 */
import { constants, existsSync, readdirSync, statSync } from 'node:fs';
import { access, mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ERR_TWS_HOME } from '../../errors.js';
import { packageRoot } from '../../package-root.js';

/** Everything the TWS kinds keep under the data dir. */
export function twsLayout(dataDir: string) {
  const root = join(dataDir, 'ibgateway');
  return {
    root,
    configIni: join(root, 'ibc', 'config.ini'),
    configVersions: join(root, 'ibc-versions'),
    settings: join(root, 'settings'),
    jtsVersions: join(root, 'jts-versions'),
    simConfig: join(root, 'sim-tws.json'),
    simControl: join(root, 'sim-tws-control.json'),
    simInstall: join(root, 'install'),
  };
}

export interface GatewayInstall {
  /** IBC's --tws-path: the folder holding ibgateway/<version>. */
  twsPath: string;
  /** The major version (the folder's name), IBC's first argument. */
  version: string;
  programPath: string;
}

/**
 * gateway.ibgateway.home: the install folder itself (…/ibgateway/1030, holding jars/), or the
 * Jts folder above it (the highest version installed is taken).
 */
export function resolveInstall(home: string): GatewayInstall {
  const fail = (why: string) => ERR_TWS_HOME('gateway.ibgateway.home', home, why);
  if (existsSync(join(home, 'jars'))) {
    const version = basename(home);
    if (!/^\d+$/.test(version)) throw fail(`its folder name (${version}) must be the major version, e.g. 1030`);
    if (basename(dirname(home)) !== 'ibgateway') throw fail('expected <tws-path>/ibgateway/<version> (IBC looks for it there)');
    return { twsPath: dirname(dirname(home)), version, programPath: home };
  }
  const dir = join(home, 'ibgateway');
  const versions = existsSync(dir) ? readdirSync(dir).filter((v) => /^\d+$/.test(v) && existsSync(join(dir, v, 'jars'))) : [];
  if (versions.length === 0) throw fail('no jars/ folder here and no ibgateway/<version>/jars below (install the offline IB Gateway)');
  const version = versions.sort((a, b) => Number(b) - Number(a))[0]!;
  return { twsPath: home, version, programPath: join(dir, version) };
}

export async function checkIbcHome(home: string): Promise<string> {
  const script = join(home, 'scripts', 'ibcstart.sh');
  try {
    await access(script, constants.X_OK);
  } catch {
    throw ERR_TWS_HOME('gateway.ibc.home', home, 'scripts/ibcstart.sh is missing or not executable');
  }
  return script;
}

/** The simulated IBC home bundled with the package (built copy). */
export function bundledIbcHome(root: string = packageRoot): string {
  return join(root, 'dist', 'scripts', 'sim', 'tws', 'ibc');
}

/** A fake IB Gateway install for kind simulated-tws: what ibcstart.sh checks for. */
export async function ensureSimInstall(dir: string, version = '1019'): Promise<GatewayInstall> {
  const programPath = join(dir, 'ibgateway', version);
  await mkdir(join(programPath, 'jars'), { recursive: true });
  const vmoptions = join(programPath, 'ibgateway.vmoptions');
  if (!existsSync(vmoptions)) await writeFile(vmoptions, '-Xmx768m\n');
  return { twsPath: dir, version, programPath };
}

export interface IbcStartArgs {
  script: string;
  install: GatewayInstall;
  settingsPath: string;
  ibcHome: string;
  configIni: string;
  mode: 'live' | 'paper';
  javaPath: string | null;
}

/** Credentials stay in config.ini (0600): on the command line every user could read them in /proc. */
export function ibcstartArgv(a: IbcStartArgs): string[] {
  return [
    a.script, a.install.version, '-g', `--tws-path=${a.install.twsPath}`, `--tws-settings-path=${a.settingsPath}`,
    `--ibc-path=${a.ibcHome}`, `--ibc-ini=${a.configIni}`, `--mode=${a.mode}`,
    // The daemon decides about a second try after a second-factor timeout (login budget).
    '--on2fatimeout=exit',
    ...(a.javaPath ? [`--java-path=${a.javaPath}`] : []),
  ];
}

/** The wrapper that starts Xvfb inside the gateway's process group (see with-xvfb.sh). */
export const XVFB_WRAPPER = fileURLToPath(new URL('./with-xvfb.sh', import.meta.url));

export function withXvfb(xvfb: string, argv: string[]): string[] {
  return [XVFB_WRAPPER, xvfb, ...argv];
}

/** True when the folder exists and is a directory. */
export function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
