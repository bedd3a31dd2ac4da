import { constants, existsSync, readdirSync, statSync } from 'node:fs';
import { access, copyFile } from 'node:fs/promises';
import { delimiter, isAbsolute, join } from 'node:path';
import { ERR_GATEWAY_HOME, ERR_LAUNCH_NOT_FOUND } from '../../errors.js';

/** The managed conf folder: first on the classpath, so `--conf conf.yaml` finds it there. */
export function clientportalLayout(dataDir: string) {
  const confDir = join(dataDir, 'gateway', 'conf');
  return { confDir, confPath: join(confDir, 'conf.yaml') };
}

/** Checks the distribution layout and returns the gateway jar (relative to home). */
export function checkClientportalHome(home: string | null): { jar: string } {
  if (!home) throw ERR_GATEWAY_HOME('(not set)', 'set gateway.home to the clientportal.gw folder');
  const need = (rel: string, what: string) => {
    if (!existsSync(join(home, rel))) throw ERR_GATEWAY_HOME(home, `${rel} is missing (${what})`);
  };
  need('bin', 'the launcher folder');
  need('root/conf.yaml', 'the shipped conf, used as the template');
  need('dist', 'the gateway jar folder');
  const jars = readdirSync(join(home, 'dist')).filter((f) => f.endsWith('.jar') && statSync(join(home, 'dist', f)).isFile());
  if (jars.length === 0) throw ERR_GATEWAY_HOME(home, 'dist/ holds no .jar');
  // Prefer the router jar run.sh names; any other jar is a guess for repackaged builds.
  const jar = jars.find((j) => j.endsWith('clientportal.gw.jar')) ?? jars.sort()[0];
  return { jar: `dist/${jar}` };
}

/** JAVA_HOME/bin/java, else the first java on PATH (the gateway's env first, then ours). */
export async function resolveJava(env: Record<string, string>): Promise<string> {
  const javaHome = env.JAVA_HOME ?? process.env.JAVA_HOME;
  if (javaHome && existsSync(join(javaHome, 'bin', 'java'))) return join(javaHome, 'bin', 'java');
  for (const dir of (env.PATH ?? process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'java');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  throw ERR_LAUNCH_NOT_FOUND('java (set JAVA_HOME or put java on PATH)');
}

/**
 * Copies what the gateway finds beside its conf: logback.xml (without it logback logs DEBUG to
 * stdout) and, in tls mode gateway, a relative sslCert that run.sh's classpath (root/) held.
 */
export async function stageConfDir(home: string, confDir: string, sslCert: unknown): Promise<void> {
  const files = ['logback.xml'];
  if (typeof sslCert === 'string' && sslCert && !isAbsolute(sslCert) && !existsSync(join(home, sslCert))) files.push(sslCert);
  for (const file of files) {
    const src = join(home, 'root', file);
    if (existsSync(src)) await copyFile(src, join(confDir, file));
  }
}

/**
 * run.sh rejects an absolute conf path (exit 1), so java is launched directly, as run.sh
 * would, with the managed conf folder first on the classpath and cwd = home.
 */
export function clientportalArgv(java: string, confDir: string, jar: string): string[] {
  return [
    java, '-server', '-Dvertx.disableDnsResolver=true', '-Djava.net.preferIPv4Stack=true',
    '-Dvertx.logger-delegate-factory-class-name=io.vertx.core.logging.SLF4JLogDelegateFactory',
    '-cp', `${confDir}:${jar}:build/lib/runtime/*`,
    'ibgroup.web.core.clientportal.gw.GatewayStart', '--conf', 'conf.yaml',
  ];
}
