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

/**
 * Inodes of TCP sockets listening on `port` on any local address, IPv4 and IPv6; null when
 * /proc/net/tcp cannot be read at all (then only a bind attempt can tell).
 */
function listeningInodesOrNull(port: number): Set<string> | null {
  const inodes = new Set<string>();
  let readAny = false;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
      readAny = true;
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
  return readAny ? inodes : null;
}

export function listeningInodes(port: number): Set<string> {
  return listeningInodesOrNull(port) ?? new Set();
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

/** Can we bind host:port right now? Catches holders /proc cannot show (other network namespace views). */
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
  // A listener on any address conflicts with the gateway, which binds 0.0.0.0.
  const inodes = listeningInodesOrNull(port);
  if (inodes && inodes.size > 0) throw busyError(port, findPortHolder(port));
  // /proc/net lists every socket of this network namespace, the only one a bind can clash
  // with; the bind attempt (~10 ms, on every restart) is only needed where /proc is hidden.
  if (inodes === null && !(await canBind(host, port))) throw busyError(port, null);
}
