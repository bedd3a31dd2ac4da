/**
 * The API port. IB Gateway opens it only once the login has completed, and admits an address
 * that is not in jts.ini's TrustedIPs only through its "Accept incoming connection attempt?"
 * dialog: the TCP connection is accepted but nothing is answered while the dialog is up. IBC's
 * AcceptIncomingConnectionAction answers the dialog: accept lets the client in, reject closes
 * the connection a moment later (the client only sees its socket close), manual leaves the
 * dialog for a human — the client waits for ever.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { ApiConnection } from './api-connection.js';
import type { GatewayState } from './gateway-state.js';

export function peerAddress(socket: Socket): string {
  const a = socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

export class ApiServer {
  readonly server: Server;
  readonly #sockets = new Set<Socket>();

  constructor(private readonly gw: GatewayState, private readonly trustedIps: string[]) {
    this.server = createServer((socket) => this.#onConnection(socket));
  }

  #onConnection(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const peer = peerAddress(socket);
    this.gw.count('connection');
    if (this.trustedIps.includes(peer)) {
      new ApiConnection(socket, peer, this.gw);
      return;
    }
    const action = this.gw.settings.acceptIncoming;
    this.gw.count(`untrusted-${action}`);
    this.gw.log(`ibgw-sim-tws: incoming API connection from ${peer} (not in TrustedIPs): AcceptIncomingConnectionAction=${action}`);
    if (action === 'accept') {
      new ApiConnection(socket, peer, this.gw);
    } else if (action === 'reject') {
      // IBC clicks "No" once the dialog is drawn; the socket is closed without a word.
      socket.pause();
      setTimeout(() => socket.destroy(), this.gw.sim.rejectDelayMs).unref();
    } else {
      socket.pause(); // the dialog waits for a human
    }
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  close(): void {
    this.server.close();
    for (const s of this.#sockets) s.destroy();
  }
}
