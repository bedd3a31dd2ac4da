/**
 * The apps of the app API (capability passThrough): the pass-through, the portfolio route and
 * the typed client `ibgw-supervisor/client` (dist/client), loaded from the build at run time so
 * the soak compiles on builds that do not have it yet.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../daemon/package-root.js';
import type { AppCall, AppDefinition, Outcome } from './app-load.js';
import { get, type AppDeps } from './app-calls.js';

interface TypedClient {
  status(): Promise<unknown>;
  testConnection(): Promise<{ success: boolean; error?: string; code?: string }>;
  getPortfolio(accountId?: string): Promise<unknown>;
}

/** A typed-client call: served when it resolves; a failure is named by the client's error class and code. */
function clientCall(name: string, run: () => Promise<unknown>): AppCall {
  return {
    name,
    run: async (): Promise<Outcome> => {
      try {
        const value = await run();
        const connection = value as { success?: boolean; code?: string; error?: string } | null;
        if (name === 'client testConnection' && connection?.success === false) return { ok: false, reason: `not connected: ${connection.code ?? connection.error?.split(':')[0]}` };
        return { ok: true };
      } catch (err) {
        const e = err as Error & { code?: string };
        return { ok: false, reason: `${e.name}${e.code ? ` ${e.code}` : ''}` };
      }
    },
  };
}

async function typedClient(deps: AppDeps): Promise<TypedClient | null> {
  const file = join(packageRoot, 'dist', 'client', 'index.js');
  if (!existsSync(file)) return null;
  const mod = (await import(pathToFileURL(file).href)) as { IbgwClient: new (o: { baseUrl: string; token: string; timeoutMs: number }) => TypedClient };
  return new mod.IbgwClient({ baseUrl: deps.api.baseUrl, token: deps.api.adminToken(), timeoutMs: 15_000 });
}

export async function appApiApps(deps: AppDeps): Promise<AppDefinition[]> {
  const { api, account } = deps;
  const list: AppDefinition[] = [
    { name: 'pass-through', perSecond: 0.5, calls: [get(api, `/api/v1/ibkr/portfolio/${account}/summary`, true), get(api, '/api/v1/ibkr/iserver/accounts', true)] },
    { name: 'portfolio', perSecond: 0.2, calls: [get(api, '/api/v1/portfolio', true), get(api, '/api/v1/connection', true)] },
  ];
  const client = await typedClient(deps);
  if (client) {
    list.push({
      name: 'typed-client', perSecond: 0.2,
      calls: [clientCall('client status', () => client.status()), clientCall('client testConnection', () => client.testConnection()), clientCall('client getPortfolio', () => client.getPortfolio(account))],
    });
  }
  return list;
}
