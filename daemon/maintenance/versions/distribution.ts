/**
 * Is a folder a Client Portal Gateway distribution, and which build is it? IBKR's zip unpacks
 * to bin/run.sh, root/conf.yaml (+ logback.xml, vertx.jks, webapps/), dist/<gateway jar> and
 * build/lib/runtime/*.jar. The build is not written anywhere in plain text: it is in the jar's
 * META-INF/MANIFEST.MF — `Implementation-Version: ibgroup.web.core.iblink.router.clientportal.gw-
 * 20230424154245` and `When-Built: 2023-04-24T15:42:44-0400` (the current public download).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ERR_VERSION_LAYOUT } from '../../errors.js';
import { ZipArchive } from './zip-reader.js';

export interface DistributionInfo {
  /** The folder holding bin/, root/, dist/, build/ (the archive's top folder, or a folder inside it). */
  root: string;
  /** The gateway jar, relative to root. */
  jar: string;
  /** The build stamp from the manifest (20230424154245), or null when the jar has none. */
  build: string | null;
  /** When-Built as ISO, or null. */
  builtAt: string | null;
  implementationVersion: string | null;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The layout at the top, or inside the one folder an archive often wraps it in. */
function findRoot(dir: string): string {
  if (existsSync(join(dir, 'bin')) || existsSync(join(dir, 'dist'))) return dir;
  const inner = readdirSync(dir).filter((n) => !n.startsWith('.') && n !== '__MACOSX' && isDir(join(dir, n)));
  return inner.length === 1 ? join(dir, inner[0]) : dir;
}

function layoutError(source: string, missing: string, what: string): Error {
  const err = ERR_VERSION_LAYOUT(source, `${missing} is missing (${what})`);
  err.details = { missing };
  return err;
}

/** Checks the layout (throws IBGW_VERSION_LAYOUT naming what is missing) and reads the build. */
export async function inspectDistribution(dir: string, source = dir): Promise<DistributionInfo> {
  const root = findRoot(dir);
  if (!isFile(join(root, 'bin/run.sh'))) throw layoutError(source, 'bin/run.sh', 'the launcher');
  if (!isFile(join(root, 'root/conf.yaml'))) throw layoutError(source, 'root/conf.yaml', 'the shipped conf');
  if (!isDir(join(root, 'build'))) throw layoutError(source, 'build/', 'the runtime libraries');
  const jars = isDir(join(root, 'dist')) ? readdirSync(join(root, 'dist')).filter((f) => f.endsWith('.jar') && isFile(join(root, 'dist', f))) : [];
  if (jars.length === 0) throw layoutError(source, 'dist/*.jar', 'the gateway jar');
  const jar = `dist/${jars.find((j) => j.endsWith('clientportal.gw.jar')) ?? jars.sort()[0]}`;
  const manifest = await readManifest(join(root, jar));
  const implementationVersion = manifest['Implementation-Version'] ?? null;
  const build = /-(\d{8,})$/.exec(implementationVersion ?? '')?.[1] ?? null;
  return { root, jar, build, builtAt: isoOf(manifest['When-Built']), implementationVersion };
}

/** MANIFEST.MF attributes (all sections merged); empty when the jar or manifest cannot be read. */
export async function readManifest(jarPath: string): Promise<Record<string, string>> {
  try {
    const zip = await ZipArchive.open(jarPath);
    const entry = zip.find('META-INF/MANIFEST.MF');
    return entry ? parseManifest((await zip.read(entry, 256 * 1024)).toString('utf8')) : {};
  } catch {
    return {}; // a repackaged jar without a manifest is still a gateway; only its build is unknown
  }
}

/** Lines wrap at 72 bytes; a continuation line starts with one space. */
export function parseManifest(text: string): Record<string, string> {
  const lines: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith(' ') && lines.length > 0) lines[lines.length - 1] += line.slice(1);
    else lines.push(line);
  }
  const out: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim()] ??= line.slice(i + 1).trim();
  }
  return out;
}

/** "2023-04-24T15:42:44-0400" (no colon in the offset) → ISO. */
function isoOf(text: string | undefined): string | null {
  if (!text) return null;
  const t = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}
