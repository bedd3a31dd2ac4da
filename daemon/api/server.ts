import type { FastifyInstance } from 'fastify';
import { buildApp, type AppOptions } from './app.js';

/** The only place that listens. Returns the bound address (port 0 in tests picks a free one). */
export async function startServer(options: AppOptions & { host: string; port: number }): Promise<{ app: FastifyInstance; url: string; port: number }> {
  const app = await buildApp(options);
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { app, url: `http://${host}:${port}`, port };
}
