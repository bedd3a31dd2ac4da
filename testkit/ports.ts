/** Local TCP ports for tests and benchmarks. Shared by test/ and bench/; imports nothing of ours. */
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';

/**
 * The kernel's ephemeral range: every bind to port 0 and every outgoing connection takes its
 * port from it. A port handed out from inside it and released until the program under test
 * binds it can be taken meanwhile by anyone's port-0 listener — the simulated gateway's own
 * control server, which binds port 0 just before its command server binds the port it was
 * given, took it once in CI. Ports are therefore drawn from below the range.
 */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high)) return [low!, high!];
  } catch { /* not Linux: the IANA dynamic range */ }
  return [49152, 65535];
}

/** Handed out by this process already: never twice, so two ports asked in a row differ. */
const handedOut = new Set<number>();

/** Where ports are drawn from: the larger side of the ephemeral range, from 10000 up; read once. */
const POOL: [number, number] = (() => {
  const [low, high] = ephemeralRange();
  return low - 10_000 >= 65_535 - high ? [10_000, low - 1] : [high + 1, 65_535];
})();

function probe(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * A port that was free a moment ago on 127.0.0.1, outside the ephemeral range (see above), picked
 * at random so that test processes running side by side rarely try the same one. Where the
 * program under test can listen on port 0 and report its port, that is still the safer choice.
 */
export async function freePort(): Promise<number> {
  const [low, high] = POOL;
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (handedOut.has(port)) continue;
    if (await probe(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port in ${low}-${high} after 200 tries`);
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
