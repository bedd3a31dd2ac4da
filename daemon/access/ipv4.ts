/** Strict dotted-quad IPv4 helpers (no leading zeros: the gateway compares text, so 010 never equals 10). */
const OCTET = /^(0|[1-9]\d{0,2})$/;

export function parseOctet(text: string): number | null {
  if (!OCTET.test(text)) return null;
  const n = Number(text);
  return n <= 255 ? n : null;
}

export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    const octet = parseOctet(part);
    if (octet === null) return null;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** `::ffff:10.0.0.1` (an IPv4 peer on a dual-stack socket) → `10.0.0.1`. */
export function normalizePeer(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** The gateway pattern for an octet-aligned block: /8 → a.*, /16 → a.b.*, /24 → a.b.c.*, /32 → a.b.c.d. */
export function blockPattern(base: number, prefix: 8 | 16 | 24 | 32): string {
  const octets = formatIpv4(base).split('.');
  return prefix === 32 ? octets.join('.') : `${octets.slice(0, prefix / 8).join('.')}.*`;
}

const PREFIXES = [8, 16, 24, 32] as const;

/**
 * Splits the inclusive range [start, end] into the fewest octet-aligned blocks the gateway can
 * express, largest first where alignment allows. Exact: the blocks cover the range and nothing else.
 */
export function* alignedBlocks(start: number, end: number): Generator<{ base: number; prefix: 8 | 16 | 24 | 32 }> {
  let cur = start;
  while (cur <= end) {
    for (const prefix of PREFIXES) {
      const size = 2 ** (32 - prefix);
      if (cur % size === 0 && cur + size - 1 <= end) {
        yield { base: cur, prefix };
        cur += size;
        break;
      }
    }
  }
}
