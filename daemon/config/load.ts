import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse, YAMLParseError } from 'yaml';
import { ERR_CONFIG_INVALID, ERR_CONFIG_PARSE, ERR_CONFIG_READ } from '../errors.js';
import { packageRoot } from '../package-root.js';
import { PATH_KEYS } from './schema.js';
import type { Config, LoadedConfig } from './types.js';
import { validateConfig } from './validate.js';

export const DEFAULT_CONFIG_PATH = join(packageRoot, 'config', 'default.yaml');

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Objects merge key by key; arrays and scalars replace (a user's allow list must not be appended to ours). */
export function mergeConfig(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) {
    out[key] = isPlain(value) && isPlain(base[key]) && key !== 'env' ? mergeConfig(base[key] as Plain, value) : value;
  }
  return out;
}

function readYaml(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw ERR_CONFIG_READ(file, (err as NodeJS.ErrnoException).code ?? String(err));
  }
  try {
    return parse(text, { prettyErrors: true, uniqueKeys: true }) ?? {};
  } catch (err) {
    const message = err instanceof YAMLParseError ? err.message.split('\n')[0] : String(err);
    throw ERR_CONFIG_PARSE(file, message);
  }
}

function getPath(obj: Plain, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((o, k) => (isPlain(o) ? o[k] : undefined), obj);
}

function setPath(obj: Plain, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  const last = keys.pop()!;
  let o: Plain = obj;
  for (const k of keys) o = o[k] as Plain;
  o[last] = value;
}

/** Relative paths count from the folder of the file that named them; the default file's from the cwd. */
function resolvePaths(merged: Plain, user: Plain | null, userDir: string | null, cwd: string): void {
  for (const key of PATH_KEYS) {
    const value = getPath(merged, key);
    if (typeof value !== 'string' || isAbsolute(value)) continue;
    const fromUser = user !== null && typeof getPath(user, key) === 'string';
    setPath(merged, key, resolve(fromUser && userDir ? userDir : cwd, value));
  }
}

function applyEnv(merged: Plain, env: NodeJS.ProcessEnv, cwd: string): void {
  const api = merged.api as Plain;
  if (env.IBGW_API_HOST) api.host = env.IBGW_API_HOST;
  if (env.IBGW_API_PORT !== undefined && env.IBGW_API_PORT !== '') {
    const port = Number(env.IBGW_API_PORT);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw ERR_CONFIG_INVALID('IBGW_API_PORT', 'api.port', `not a port number: ${JSON.stringify(env.IBGW_API_PORT)}`);
    api.port = port;
  }
  if (env.IBGW_DATA_DIR) merged.dataDir = resolve(cwd, env.IBGW_DATA_DIR);
}

export interface LoadOptions {
  /** User file; null/undefined = the embedded default only. */
  file?: string | null;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Throws an IbgwError naming the file, the key path and what is wrong. */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const file = options.file ? resolve(cwd, options.file) : null;
  const defaults = readYaml(DEFAULT_CONFIG_PATH) as Plain;
  let user: Plain | null = null;
  if (file) {
    const raw = readYaml(file);
    if (!isPlain(raw)) throw ERR_CONFIG_INVALID(file, '(root)', 'must be a mapping of keys');
    user = raw;
  }
  const merged = user ? mergeConfig(defaults, user) : structuredClone(defaults);
  resolvePaths(merged, user, file ? dirname(file) : null, cwd);
  applyEnv(merged, env, cwd);
  const result = validateConfig(merged, file ?? DEFAULT_CONFIG_PATH);
  if ('error' in result) throw result.error;
  return { config: result.config as Config, file };
}
