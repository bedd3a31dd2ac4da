/**
 * Is the gateway's port free before we spawn, and if not, who holds it?
 *
 * The real gateway does not fail on a busy port: it prints "Server listen failed Address
 * already in use" and stays alive, never listening — so the readiness probe would happily
 * connect to the *other* process and call it ready. The port must be checked before spawning.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { ERR_PORT_BUSY, type IbgwError } from '../errors.js';
import { readCmdline, socketOwner } from './proc-table.js';

const LISTEN = '0A';

/** Inodes of TCP sockets listening on `port` on any local address, IPv4 and IPv6. */
export function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // no IPv6 in this kernel / namespace
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== LISTEN) continue;
      const local = cols[1]!;
      if (parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port) inodes.add(cols[9]!);
    }
  }
  return inodes;
}

export interface PortHolder {
  pid: number;
  command: string;
}

/** Only processes of the daemon's own user (or all, as root) can be named: fd links are private. */
export function findPortHolder(port: number): PortHolder | null {
  const inodes = listeningInodes(port);
  if (inodes.size === 0) return null;
  const pid = socketOwner(inodes);
  if (pid === null) return null;
  // Capped: this ends up in events and the API, and a command line can carry anything.
  const command = (readCmdline(pid) ?? ['?']).join(' ');
  return { pid, command: command.length > 120 ? `${command.slice(0, 117)}...` : command };
}

/** Can we bind host:port right now? */
function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      // Only "in use" means busy; EADDRNOTAVAIL (host not local) says nothing about the port.
      resolve(err.code !== 'EADDRINUSE');
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

function busyError(port: number, holder: PortHolder | null): IbgwError {
  const err = ERR_PORT_BUSY(port, holder ? ` by pid ${holder.pid} (${holder.command})` : '');
  err.details = holder ? { port, holderPid: holder.pid, holderCommand: holder.command } : { port };
  return err;
}

/** Resolves when the port is free; rejects with ERR_PORT_BUSY (details.holderPid when known). */
export async function assertPortFree(host: string, port: number): Promise<void> {
  // A bind attempt on the probed address answers in well under a millisecond; reading
  // /proc/net/tcp{,6} can take several (it is generated on every read, and this runs before
  // every restart), so /proc is read only to name the holder. A listener on some other local
  // address cannot fake readiness (the probe connects to `host`); the real gateway, binding
  // 0.0.0.0, would then fail to listen and the start times out with that reason.
  if (!(await canBind(host, port))) {
    throw busyError(port, findPortHolder(port));
  }
}
