/** Local TCP ports for tests and benchmarks. Shared by test/ and bench/; imports nothing of ours. */
import { connect, createServer } from 'node:net';

/**
 * An ephemeral port that was free a moment ago on 127.0.0.1. Another process may take it
 * before the caller binds it; where the program under test can listen on port 0 and report
 * its port, that is the safer choice.
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

/** One connection attempt: does something accept on host:port right now? */
export function portAccepts(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
