import { createServer } from 'node:net';

/**
 * An ephemeral port that was free a moment ago on 127.0.0.1. Another process may take it
 * before the caller binds it; tests that need certainty listen on 0 instead.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
