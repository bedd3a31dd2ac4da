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
    // A copy, not the parser's own values: its strings are V8 slices of the whole file's text, so
    // any one value a service keeps (a path, a region) would keep the file alive with it — the
    // embedded default, ~86 KB in memory, once for every config generation still referenced
    // (three under the soak: heap snapshots, soak/README.md "Stop 27").
    return structuredClone(parse(text, { prettyErrors: true, uniqueKeys: true }) ?? {});
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
  // The setup guide's name for the gateway's port (.env or the environment).
  if (env.IBKR_CLIENT_PORTAL_PORT !== undefined && env.IBKR_CLIENT_PORTAL_PORT !== '') {
    const port = Number(env.IBKR_CLIENT_PORTAL_PORT);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      const problem = `not a port number: ${JSON.stringify(env.IBKR_CLIENT_PORTAL_PORT)}`;
      const err = ERR_CONFIG_INVALID('IBKR_CLIENT_PORTAL_PORT', 'gateway.port', problem);
      err.details = { file: 'IBKR_CLIENT_PORTAL_PORT', key: 'gateway.port', problem };
      throw err;
    }
    (merged.gateway as Plain).port = port;
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const WILDCARD = new Set(['0.0.0.0', '[::]', '']);

/**
 * The setup guide's IBKR_API_ENDPOINT (e.g. https://localhost:5000/v1/api) is where its apps
 * call the gateway. The daemon does not take the address from it — gateway.host/port say where
 * the gateway listens — but a value pointing elsewhere means those apps would miss the gateway
 * this daemon keeps alive, so it is refused with both addresses.
 */
function checkApiEndpoint(value: string, config: Config, env: NodeJS.ProcessEnv): void {
  const host = config.gateway.host.includes(':') ? `[${config.gateway.host}]` : config.gateway.host;
  const base = `https://${host}:${config.gateway.port}`;
  const fail = (problem: string) => {
    const err = ERR_CONFIG_INVALID('IBKR_API_ENDPOINT', 'gateway.host/gateway.port', problem);
    err.details = { file: 'IBKR_API_ENDPOINT', key: 'gateway.port', problem, endpoint: value, baseUrl: base };
    throw err;
  };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail(`${JSON.stringify(value)} is not a URL (expected like ${base}/v1/api)`);
  }
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const name = url.hostname.toLowerCase();
  const sameHost = name === host.toLowerCase() || (LOOPBACK.has(name) && LOOPBACK.has(host)) || WILDCARD.has(host);
  const pathOk = ['', '/', '/v1/api', '/v1/api/'].includes(url.pathname);
  if (url.protocol !== 'https:' || port !== config.gateway.port || !sameHost || !pathOk) {
    fail(`${value} does not match the gateway's base URL ${base}/v1/api (from gateway.host and gateway.port${env.IBKR_CLIENT_PORTAL_PORT ? ' — set by IBKR_CLIENT_PORTAL_PORT' : ''}): make them agree`);
  }
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
  const merged = user ? mergeConfig(defaults, user) : defaults;
  resolvePaths(merged, user, file ? dirname(file) : null, cwd);
  applyEnv(merged, env, cwd);
  const result = validateConfig(merged, file ?? DEFAULT_CONFIG_PATH);
  if ('error' in result) throw result.error;
  if (env.IBKR_API_ENDPOINT) checkApiEndpoint(env.IBKR_API_ENDPOINT, result.config as Config, env);
  return { config: result.config as Config, file };
}
