import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config/load.js';
import { ERR_DAEMON_UNREACHABLE, IbgwError } from '../errors.js';
import { ADMIN_TOKEN_FILE } from '../api/admin-token.js';

export interface ApiClient {
  baseUrl: string;
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
}

/**
 * Talks to a running daemon's API. The address comes from the same config the daemon reads
 * (so `--config` and the env overrides point both at one place); the token from
 * IBGW_ADMIN_TOKEN or the daemon's 0600 token file.
 */
export function createApiClient(configFile: string | null, env: NodeJS.ProcessEnv = process.env): ApiClient {
  const { config } = loadConfig({ file: configFile, env });
  const host = config.api.host === '0.0.0.0' ? '127.0.0.1' : config.api.host === '::' ? '::1' : config.api.host;
  const baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${config.api.port}`;
  const token = () => {
    if (env.IBGW_ADMIN_TOKEN) return env.IBGW_ADMIN_TOKEN.trim();
    try {
      return readFileSync(join(config.dataDir, ADMIN_TOKEN_FILE), 'utf8').trim();
    } catch {
      return '';
    }
  };
  return {
    baseUrl,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      let response: Response;
      try {
        response = await fetch(baseUrl + path, {
          method,
          headers: { authorization: `Bearer ${token()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(120_000),
        });
      } catch (err) {
        throw ERR_DAEMON_UNREACHABLE(baseUrl, (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message);
      }
      const text = await response.text();
      const data = text ? (JSON.parse(text) as T & { code?: string; message?: string }) : ({} as T & { code?: string; message?: string });
      if (!response.ok) throw new IbgwError(data.code ?? `HTTP_${response.status}`, data.message ?? text, response.status);
      return data;
    },
  };
}
