/**
 * IBC's command server: a plain TCP port (config.ini CommandServerPort; 0 = none) taking one
 * command per line, answering `OK …` or `ERROR …` like IBC's CommandDispatcher. Loopback, the
 * server's own address and config.ini's ControlFrom may connect; others are closed at once.
 * It runs inside the gateway's JVM, so a hung gateway answers nothing here either.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { peerAddress } from './api-server.js';
import type { GatewayState } from './gateway-state.js';

export interface GatewayLifecycle {
  /** STOP: close the gateway (tidily once logged in, at once before). */
  stop(reason: string): void;
  /** RESTART / PAUSE: a restart that needs no second factor. False when not logged in yet. */
  restart(pause: boolean): boolean;
}

export class CommandServer {
  readonly server: Server;
  readonly #sockets = new Set<Socket>();

  constructor(private readonly gw: GatewayState, private readonly lifecycle: GatewayLifecycle) {
    this.server = createServer((socket) => this.#onConnection(socket));
  }

  #permitted(peer: string): boolean {
    const own = this.gw.settings.bindAddress;
    return peer === '127.0.0.1' || peer === '::1' || (own !== '' && peer === own) || this.gw.settings.controlFrom.includes(peer);
  }

  #onConnection(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const peer = peerAddress(socket);
    this.gw.ibc(`CommandServer: ControlFrom setting = ${this.gw.settings.controlFrom.join(',')}`);
    if (!this.#permitted(peer)) {
      this.gw.ibc(`CommandServer denied access to: /${peer}`);
      socket.destroy();
      return;
    }
    this.gw.ibc(`CommandServer accepted connection from: /${peer}`);
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      if (this.gw.faults.hang) return;
      pending += chunk.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).replace(/\r$/, '').trim();
        pending = pending.slice(nl + 1);
        if (line !== '') this.#command(socket, line);
        if (socket.destroyed || socket.writableEnded) return;
      }
    });
  }

  #command(socket: Socket, line: string): void {
    this.gw.ibc(`CommandServer received command: ${line}`);
    const reply = (text: string): void => void socket.write(text + '\n');
    const close = () => {
      this.gw.ibc('Closing command channel');
      socket.end();
    };
    switch (line.toUpperCase()) {
      case 'EXIT':
        reply('OK Goodbye');
        return close();
      case 'STOP':
        reply('OK Shutting down: STOP command');
        close();
        return this.lifecycle.stop('STOP command');
      case 'RESTART':
      case 'PAUSE': {
        const verb = line.toUpperCase();
        if (this.gw.loginState !== 'logged-in') return reply(`ERROR ${verb} is not possible: login has not completed`);
        reply(`OK ${verb} in progress`);
        close();
        this.lifecycle.restart(verb === 'PAUSE');
        return;
      }
      case 'RECONNECTACCOUNT':
      case 'RECONNECTDATA':
        // IBC presses Ctrl-Alt-R / Ctrl-Alt-F in the main window and acknowledges at once.
        this.gw.count(line.toUpperCase());
        return reply('OK ');
      case 'ENABLEAPI':
        return reply('ERROR ENABLEAPI is not valid for the IB Gateway');
      default:
        this.gw.ibcError(`CommandServer: invalid command received: ${line}`);
        return reply('ERROR Command invalid');
    }
  }

  async listen(port: number, host: string): Promise<void> {
    this.gw.ibc(`CommandServer is starting with port ${port}`);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    this.gw.ibc(`CommandServer listening on address: ${host} port: ${port}`);
    this.gw.ibc('CommandServer started and is ready to accept commands');
  }

  close(): void {
    this.server.close();
    for (const s of this.#sockets) s.destroy();
  }
}
