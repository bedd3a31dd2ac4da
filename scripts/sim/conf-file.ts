/**
 * Reads the gateway's conf.yaml the way clientportal.gw does: once, at start, with a fixed set
 * of top-level keys. The real gateway maps the file onto a Java bean, so one unknown key makes
 * the whole load fail ("Failed to load configuration file …", exit 1) — we reproduce that
 * rather than ignoring the key, because a supervisor must learn about it the same way.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse } from 'yaml';

export const KNOWN_CONF_KEYS = [
  'ip2loc', 'proxyRemoteSsl', 'proxyRemoteHost', 'listenPort', 'listenSsl', 'ccp', 'svcEnvironment',
  'sslCert', 'sslPwd', 'authDelay', 'portalBaseURL', 'serverOptions', 'cors', 'webApps', 'ips',
  'tst', 'ssoPing', 'twsBaseURL',
] as const;

export interface IpLists {
  /** null: the key is missing (or empty), which switches filtering off altogether. */
  allow: string[] | null;
  deny: string[] | null;
}

export interface GatewayConf {
  /** The path as given on the command line (the real gateway echoes it that way). */
  path: string;
  /** Absolute folder of the conf: the first classpath entry of the real launch. */
  dir: string;
  /** Every key as read, for the start log (sslPwd included, as the real one prints it). */
  raw: Record<string, unknown>;
  ip2loc: string;
  listenPort: number;
  listenSsl: boolean;
  sslCert: string | null;
  sslPwd: string;
  authDelay: number;
  ips: IpLists;
  webApps: Array<{ name: string; index: string }>;
}

export class ConfLoadError extends Error {
  constructor(readonly path: string, readonly causeLine: string) {
    super(`Failed to load configuration file ${path}`);
  }
}

function stringList(value: unknown): string[] | null {
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value)) return [String(value)];
  // YAML turns a bare 127.0.0.1 into a string but `10` into a number: the gateway sees text.
  return value.map((v) => String(v));
}

function toNumber(value: unknown, fallback: number): number {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : fallback;
}

/** Throws ConfLoadError with the message the real gateway prints. */
export function loadConf(path: string, cwd: string = process.cwd()): GatewayConf {
  const abs = resolve(cwd, path);
  let doc: unknown;
  try {
    doc = parse(readFileSync(abs, 'utf8'));
  } catch (err) {
    throw new ConfLoadError(path, `Caused by: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfLoadError(path, 'Caused by: the document is not a mapping');
  }
  const raw = doc as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!(KNOWN_CONF_KEYS as readonly string[]).includes(key)) {
      // The wording of Jackson's UnrecognizedPropertyException, which is what the JVM prints.
      throw new ConfLoadError(path, `Caused by: Unrecognized field "${key}" (class ibgroup.web.core.clientportal.gw.core.GatewayConfig), not marked as ignorable`);
    }
  }
  const ips = (raw.ips ?? {}) as Record<string, unknown>;
  const webApps = Array.isArray(raw.webApps) ? (raw.webApps as Array<Record<string, unknown>>) : [];
  return {
    path,
    dir: dirname(abs),
    raw,
    ip2loc: typeof raw.ip2loc === 'string' ? raw.ip2loc : 'US',
    listenPort: toNumber(raw.listenPort, 5000),
    listenSsl: raw.listenSsl !== false,
    sslCert: typeof raw.sslCert === 'string' && raw.sslCert !== '' ? raw.sslCert : null,
    sslPwd: raw.sslPwd === undefined || raw.sslPwd === null ? '' : String(raw.sslPwd),
    authDelay: Math.max(0, toNumber(raw.authDelay, 3000)),
    ips: { allow: stringList(ips.allow), deny: stringList(ips.deny) },
    webApps: webApps.map((w) => ({ name: String(w?.name ?? ''), index: String(w?.index ?? 'index.html') })),
  };
}

/**
 * Vert.x resolves the keystore from the cwd first, then from the classpath, whose first entry
 * is the conf's folder (run.sh puts it there). Returns null when neither has the file.
 */
export function resolveKeystore(conf: GatewayConf, cwd: string = process.cwd()): string | null {
  if (!conf.sslCert) return null;
  if (isAbsolute(conf.sslCert)) return existsSync(conf.sslCert) ? conf.sslCert : null;
  for (const base of [cwd, conf.dir]) {
    const candidate = resolve(base, conf.sslCert);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}
