/**
 * The TWS API wire format (v100+), as IBKR's API documentation and the open-source clients
 * describe it:
 *
 * - the client opens with the 4 bytes `API\0`, then one length-prefixed string, the version
 *   range it speaks, `v100..193` (optionally followed by a space and connect options);
 * - from then on every message, both ways, is a 4-byte big-endian length followed by that many
 *   bytes: NUL-terminated text fields, the first being the message id;
 * - the server's first message answers the version range with two fields: the chosen server
 *   version and the connection time (`yyyyMMdd HH:mm:ss <zone>`).
 *
 * A reader built on this never trusts a length: one above MAX_FRAME closes the connection, as
 * the official clients do, rather than buffering a stranger's 2 GB.
 */
export const API_PREFIX = Buffer.from('API\0', 'latin1');
export const MAX_FRAME = 0xffffff;

/** One frame: 4-byte length, then each field followed by NUL. */
export function encodeFrame(fields: Array<string | number | boolean>): Buffer {
  const body = Buffer.from(fields.map((f) => (typeof f === 'boolean' ? (f ? '1' : '0') : String(f)) + '\0').join(''), 'utf8');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  return Buffer.concat([head, body]);
}

/** The client's opening: `API\0` + length-prefixed `v<min>..<max>[ options]`. */
export function encodeHandshake(min: number, max: number, options = ''): Buffer {
  const range = Buffer.from(`v${min}..${max}${options ? ` ${options}` : ''}`, 'latin1');
  const head = Buffer.alloc(4);
  head.writeUInt32BE(range.length);
  return Buffer.concat([API_PREFIX, head, range]);
}

/** Splits a frame's body into its fields (the trailing NUL makes a last empty piece). */
export function decodeFields(body: Buffer): string[] {
  const fields = body.toString('utf8').split('\0');
  if (fields.at(-1) === '') fields.pop();
  return fields;
}

/** Parses `v100..176`, `v100` or `v100..176 +PACEAPI`; null when it is not a version range. */
export function parseVersionRange(text: string): { min: number; max: number; options: string } | null {
  const m = /^v(\d+)(?:\.\.(\d+))?(?: (.*))?$/.exec(text.trim());
  if (!m) return null;
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : Number(m[2]);
  return max >= min ? { min, max, options: m[3] ?? '' } : null;
}

export type ReaderEvent =
  | { kind: 'handshake'; range: string }
  | { kind: 'frame'; fields: string[] }
  | { kind: 'invalid'; why: string };

/**
 * Accumulates bytes and hands out whole frames. `expectHandshake`: the first thing on the
 * stream is `API\0` + a length-prefixed string (server side); otherwise frames only (client side).
 */
export class FrameReader {
  #buffer: Buffer = Buffer.alloc(0);
  #handshakePending: boolean;

  constructor(expectHandshake: boolean) {
    this.#handshakePending = expectHandshake;
  }

  push(chunk: Buffer): ReaderEvent[] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const out: ReaderEvent[] = [];
    if (this.#handshakePending) {
      if (this.#buffer.length < API_PREFIX.length) return out;
      if (!this.#buffer.subarray(0, API_PREFIX.length).equals(API_PREFIX)) return [{ kind: 'invalid', why: 'no API\\0 prefix' }];
      const frame = this.#take(API_PREFIX.length);
      if (frame === 'wait') return out;
      if (frame === 'too-long') return [{ kind: 'invalid', why: 'handshake length too large' }];
      this.#handshakePending = false;
      out.push({ kind: 'handshake', range: frame.toString('latin1') });
    }
    for (;;) {
      const frame = this.#take(0);
      if (frame === 'wait') return out;
      if (frame === 'too-long') return [...out, { kind: 'invalid', why: 'frame length too large' }];
      out.push({ kind: 'frame', fields: decodeFields(frame) });
    }
  }

  /** A length-prefixed body starting at `offset`, consumed from the buffer with everything before it. */
  #take(offset: number): Buffer | 'wait' | 'too-long' {
    if (this.#buffer.length < offset + 4) return 'wait';
    const length = this.#buffer.readUInt32BE(offset);
    if (length > MAX_FRAME) return 'too-long';
    if (this.#buffer.length < offset + 4 + length) return 'wait';
    const body = this.#buffer.subarray(offset + 4, offset + 4 + length);
    this.#buffer = this.#buffer.subarray(offset + 4 + length);
    return body;
  }
}

/** TWS's connection-time format: `20240131 09:30:00 EST` (local time, the zone's short name). */
export function connectionTime(now: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
    }).formatToParts(now).map((p) => [p.type, p.value]),
  );
  return `${parts.year}${parts.month}${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${parts.timeZoneName}`;
}
