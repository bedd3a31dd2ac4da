import { isIPv6 } from 'node:net';
import { ERR_ACCESS_PATTERN } from '../errors.js';
import { alignedBlocks, blockPattern, formatIpv4, parseIpv4, parseOctet } from './ipv4.js';

/** An allow/deny entry in the form the gateway matches, and how it was written. */
export interface ParsedEntry {
  pattern: string;
  input: string;
  from: 'pattern' | 'cidr' | 'range';
}

/**
 * True for the forms the gateway matches: `a.*`, `a.b.*`, `a.b.c.*`, `a.b.c.d`. Anything else
 * is silently replaced by the previous entry (or never matches) in the real gateway.
 */
export function isGatewayPattern(text: string): boolean {
  const parts = text.split('.');
  if (parts.length < 2 || parts.length > 4) return false;
  const wildcard = parts[parts.length - 1] === '*';
  if (!wildcard && parts.length !== 4) return false;
  const octets = wildcard ? parts.slice(0, -1) : parts;
  return octets.every((p) => parseOctet(p) !== null);
}

const LIST_LIMIT = 16;

/** The safe forms inside [start, end], listed in full when short, else summarised. */
function saferForms(start: number, end: number): string {
  const blocks: string[] = [];
  let count = 0;
  let last = '';
  for (const b of alignedBlocks(start, end)) {
    count++;
    last = blockPattern(b.base, b.prefix);
    if (blocks.length < LIST_LIMIT) blocks.push(last);
  }
  if (count <= LIST_LIMIT) return `the nearest safe form${count > 1 ? 's' : ''} covering only addresses inside it: ${blocks.join(', ')}`;
  return `it would take ${count} entries; the nearest narrower forms: ${blocks.slice(0, 4).join(', ')}, … ${last}`;
}

function fromCidr(input: string, text: string): ParsedEntry {
  const [addr, bits] = text.split('/');
  const base = parseIpv4(addr);
  if (base === null) throw ERR_ACCESS_PATTERN(input, `${addr} is not an IPv4 address`);
  if (!/^\d{1,2}$/.test(bits) || Number(bits) > 32) throw ERR_ACCESS_PATTERN(input, `/${bits} is not a prefix length (0–32)`);
  const prefix = Number(bits);
  const size = 2 ** (32 - prefix);
  const network = Math.floor(base / size) * size;
  const end = network + size - 1;
  if (prefix === 8 || prefix === 16 || prefix === 24 || prefix === 32) return { pattern: blockPattern(network, prefix), input, from: 'cidr' };
  const why = prefix === 0 ? '/0 is every address, and the gateway\'s "*" answers every request with HTTP 500' : `the gateway has no pattern for a /${prefix} (only /8 a.*, /16 a.b.*, /24 a.b.c.* and single addresses)`;
  throw withSuggestions(ERR_ACCESS_PATTERN(input, `${why}; ${saferForms(network, end)}`), network, end);
}

function fromRange(input: string, text: string): ParsedEntry {
  const [a, b] = text.split('-').map((s) => s.trim());
  const start = parseIpv4(a);
  const end = parseIpv4(b);
  if (start === null || end === null) throw ERR_ACCESS_PATTERN(input, 'a range is two IPv4 addresses joined by "-", e.g. 10.0.0.0-10.0.0.255');
  if (start > end) throw ERR_ACCESS_PATTERN(input, `the range starts after it ends (${formatIpv4(start)} > ${formatIpv4(end)})`);
  const first = alignedBlocks(start, end).next().value!;
  if (first.base + 2 ** (32 - first.prefix) - 1 === end) return { pattern: blockPattern(first.base, first.prefix), input, from: 'range' };
  throw withSuggestions(ERR_ACCESS_PATTERN(input, `the range is not one whole a.*, a.b.*, a.b.c.* block or a single address; ${saferForms(start, end)}`), start, end);
}

function withSuggestions<E extends Error & { details?: Record<string, unknown> }>(err: E, start: number, end: number): E {
  const suggestions: string[] = [];
  for (const b of alignedBlocks(start, end)) {
    suggestions.push(blockPattern(b.base, b.prefix));
    if (suggestions.length >= 256) break;
  }
  err.details = { suggestions };
  return err;
}

function refuseWildcard(input: string, text: string): never {
  if (text === '*') throw ERR_ACCESS_PATTERN(input, 'a bare "*" makes the gateway answer every request with HTTP 500');
  const parts = text.split('.');
  const firstStar = parts.indexOf('*');
  if (firstStar > 0 && parts.slice(firstStar).every((p) => p === '*')) {
    throw ERR_ACCESS_PATTERN(input, `the gateway never matches more than one "*"; write ${parts.slice(0, firstStar).join('.')}.*`);
  }
  throw ERR_ACCESS_PATTERN(input, '"*" may only end the pattern, after 1 to 3 octets (a.*, a.b.*, a.b.c.*)');
}

/** Accepts the gateway's own forms, CIDR blocks and ranges; refuses what would never match or would break it. */
export function parseAccessEntry(input: string): ParsedEntry {
  const text = String(input ?? '').trim();
  if (text === '') throw ERR_ACCESS_PATTERN(JSON.stringify(input), 'the entry is empty');
  if (isGatewayPattern(text)) return { pattern: text, input, from: 'pattern' };
  if (text.includes('*')) refuseWildcard(input, text);
  if (text.includes('/')) return fromCidr(input, text);
  if (text.includes('-') && /^[\d.\s-]+$/.test(text)) return fromRange(input, text);
  if (isIPv6(text) || text.includes(':')) throw ERR_ACCESS_PATTERN(input, 'IPv6 addresses are not supported: the gateway matches IPv4 peers only');
  if (/[a-z]/i.test(text)) throw ERR_ACCESS_PATTERN(input, `host names never match (the gateway compares the peer's IP address)${text.toLowerCase() === 'localhost' ? '; use 127.0.0.1' : ''}`);
  const parts = text.split('.');
  const bad = parts.find((p) => parseOctet(p) === null);
  if (parts.length === 4 && bad !== undefined) {
    throw ERR_ACCESS_PATTERN(input, /^\d+$/.test(bad) && !bad.startsWith('0') ? `octet ${bad} is out of range 0–255` : `octet "${bad}" is malformed (decimal 0–255, no leading zeros: the gateway compares text)`);
  }
  throw ERR_ACCESS_PATTERN(input, 'not an IPv4 address or pattern (a.*, a.b.*, a.b.c.*, a.b.c.d, CIDR or a range)');
}
