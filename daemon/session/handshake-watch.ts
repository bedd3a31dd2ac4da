/**
 * Is the gateway's process running at all? A slow answer and a stopped process look the same
 * to an HTTP timeout, and they need opposite cures: wait for the slow one, restart the stopped
 * one (a SIGSTOP, a JVM stuck in a GC pause or a deadlock). They differ one layer down: the
 * kernel accepts the TCP connection for any listening process, but only a running one answers
 * the TLS ClientHello — within milliseconds, however slow its request handling is.
 *
 * So a probe goes out on a new connection whose raw TCP socket stays in view, and the verdict
 * "silent" means: connected, ClientHello sent, and not one byte back within the bound.
 */
import type { Duplex } from 'node:stream';
import { connect as tcpConnect, type Socket } from 'node:net';
import { Agent, type AgentOptions, type RequestOptions } from 'node:https';

const RAW = Symbol('ibgw.rawSocket');
type Watched = Duplex & { [RAW]?: Socket };

/** An https agent that opens a new connection for every request and keeps its TCP socket in view. */
export class FreshConnectionAgent extends Agent {
  constructor(options: AgentOptions) {
    super({ ...options, keepAlive: false });
  }

  override createConnection(options: RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const raw = tcpConnect({ host: options.host ?? 'localhost', port: Number(options.port ?? 443) });
    // The base class still does the TLS part (and its session cache): only the transport is ours.
    const socket = super.createConnection({ ...options, socket: raw } as RequestOptions, callback) as Watched | null | undefined;
    if (socket) socket[RAW] = raw;
    else raw.destroy();
    return socket;
  }
}

/**
 * Calls `onSilent` when the server has sent nothing `ms` after the TCP connection stood.
 * Returns a function that disarms the watch. A socket not made by FreshConnectionAgent is
 * not watched.
 *
 * Timed from the TCP connect, not from the request: that is when the ClientHello goes out,
 * and a daemon busy elsewhere must not count its own delay against the gateway. The check runs
 * one turn after the timer (setImmediate), so bytes that arrived while the daemon's event loop
 * was blocked are read before the verdict — timers run before I/O in each turn.
 */
export function watchHandshake(socket: Duplex, ms: number, onSilent: () => void): () => void {
  const raw = (socket as Watched)[RAW];
  if (!raw) return () => {};
  let timer: NodeJS.Timeout | null = null;
  let check: NodeJS.Immediate | null = null;
  const arm = (): void => {
    timer = setTimeout(() => {
      check = setImmediate(() => {
        if (raw.bytesRead === 0 && !raw.destroyed) onSilent();
      });
    }, ms);
  };
  if (raw.readyState === 'open') arm();
  else raw.once('connect', arm);
  return () => {
    raw.off('connect', arm);
    if (timer) clearTimeout(timer);
    if (check) clearImmediate(check);
  };
}
