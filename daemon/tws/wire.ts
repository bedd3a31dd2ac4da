/**
 * The client side of the TWS API wire format (v100+, IBKR's API documentation): the opening
 * `API\0` + a length-prefixed version range, then messages as a 4-byte big-endian length and
 * NUL-terminated text fields, the first field being the message id. Written for the daemon's
 * probe; the simulator has its own (scripts/ must not share code with daemon/).
 */
const API_PREFIX = Buffer.from('API\0', 'latin1');
/** The official clients refuse anything longer; so does the probe (a stranger on the port). */
const MAX_MESSAGE = 0xffffff;

/** The probe speaks 100..176: enough for every message it sends and reads. */
export const CLIENT_MIN_VERSION = 100;
export const CLIENT_MAX_VERSION = 176;

export const OUT_START_API = 71;
export const OUT_REQ_CURRENT_TIME = 49;
export const IN_ERR_MSG = 4;
export const IN_NEXT_VALID_ID = 9;
export const IN_MANAGED_ACCTS = 15;
export const IN_CURRENT_TIME = 49;

export function handshakeBytes(min = CLIENT_MIN_VERSION, max = CLIENT_MAX_VERSION): Buffer {
  const range = Buffer.from(`v${min}..${max}`, 'latin1');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(range.length);
  return Buffer.concat([API_PREFIX, length, range]);
}

export function messageBytes(fields: Array<string | number>): Buffer {
  const body = Buffer.from(fields.map((f) => `${f}\0`).join(''), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([length, body]);
}

/** Collects bytes and hands out whole messages as field lists; throws on an impossible length. */
export class MessageReader {
  #buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): string[][] {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const out: string[][] = [];
    while (this.#buffer.length >= 4) {
      const length = this.#buffer.readUInt32BE(0);
      if (length > MAX_MESSAGE) throw new Error(`message length ${length} is not a TWS API message`);
      if (this.#buffer.length < 4 + length) break;
      const fields = this.#buffer.subarray(4, 4 + length).toString('utf8').split('\0');
      if (fields.at(-1) === '') fields.pop();
      out.push(fields);
      this.#buffer = this.#buffer.subarray(4 + length);
    }
    return out;
  }
}

/**
 * An error message's id, code and text. Its per-message version (2) comes first; later fields
 * (advanced-order-reject JSON, error time) depend on the server version and are not needed.
 */
export function parseErrorMessage(fields: string[]): { id: number; code: number; text: string } | null {
  if (Number(fields[0]) !== IN_ERR_MSG || fields.length < 5) return null;
  return { id: Number(fields[2]), code: Number(fields[3]), text: fields[4] ?? '' };
}
