import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { alignedBlocks, blockPattern, parseIpv4 } from './ipv4.js';

export interface AccessSuggestion {
  /** An entry the gateway can match. */
  pattern: string;
  interface: string;
  /** The interface's own address and prefix, e.g. 172.17.0.1/16. */
  network: string;
  reason: string;
}

/**
 * Candidate allow entries from this host's IPv4 networks. Docker bridges (docker0 172.17.*,
 * user networks 172.18.* …) are where the classic "Access Denied" comes from: a client in a
 * container reaches the gateway from the bridge network, not from 127.0.0.1.
 */
export function interfaceSuggestions(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): AccessSuggestion[] {
  const out: AccessSuggestion[] = [];
  for (const [name, infos] of Object.entries(interfaces)) {
    for (const info of infos ?? []) {
      if (info.family !== 'IPv4' || !info.cidr) continue;
      const addr = parseIpv4(info.address);
      const prefix = Number(info.cidr.split('/')[1]);
      if (addr === null) continue;
      const size = 2 ** (32 - prefix);
      const network = Math.floor(addr / size) * size;
      const blocks = [...alignedBlocks(network, network + size - 1)];
      const docker = /^(docker|br-|veth)/.test(name);
      const why = info.internal ? 'loopback: local clients and the daemon itself' : docker ? 'docker bridge network: clients in containers come from here' : 'a network this host is on';
      // A /20 would be 16 entries: suggest the /24 the host itself is in rather than a long list.
      const pattern = blocks.length === 1 ? blockPattern(blocks[0].base, blocks[0].prefix) : blockPattern(Math.floor(addr / 256) * 256, 24);
      out.push({ pattern, interface: name, network: info.cidr, reason: blocks.length === 1 ? why : `${why} (the /24 holding ${info.address}; the whole /${prefix} has no single gateway pattern)` });
    }
  }
  return out.filter((s, i) => out.findIndex((o) => o.pattern === s.pattern) === i);
}
