/**
 * IB Gateway's connectivity and farm notices (TWS API error messages with id -1), folded into
 * what the session keeper reports:
 * - 1100: the gateway lost IBKR. It stays up and reconnects by itself; restarting it would only
 *   throw the session away, so the keeper waits (state ibkr-unreachable).
 * - 1101 / 1102: back (1101: market data subscriptions were lost, clients must subscribe again).
 * - 2110: the gateway's link to its server is broken and "will be restored automatically";
 *   treated like 1100 until 1101/1102 or a farm reports OK again.
 * - 2103/2104, 2105/2106, 2157/2158 (2107/2108 inactive): a data farm broken / OK. Farms do not
 *   make a session; they are reported beside it.
 */
export type FarmState = 'ok' | 'broken' | 'inactive';

export type NoticeMeaning =
  | { kind: 'lost'; code: number }
  | { kind: 'restored'; code: number; dataLost: boolean }
  | { kind: 'farm'; code: number; farm: string; state: FarmState }
  | { kind: 'other'; code: number };

const FARM_CODES: Record<number, FarmState> = { 2103: 'broken', 2104: 'ok', 2105: 'broken', 2106: 'ok', 2107: 'inactive', 2108: 'inactive', 2157: 'broken', 2158: 'ok' };

export function classifyNotice(code: number, text: string): NoticeMeaning {
  if (code === 1100 || code === 2110) return { kind: 'lost', code };
  if (code === 1101 || code === 1102) return { kind: 'restored', code, dataLost: code === 1101 };
  const farm = FARM_CODES[code];
  // The farm's name follows the last colon: "Market data farm connection is OK:usfarm".
  if (farm) return { kind: 'farm', code, farm: text.slice(text.lastIndexOf(':') + 1).trim() || String(code), state: farm };
  return { kind: 'other', code };
}

export interface ConnectivityChange {
  /** The link to IBKR changed (null: it did not). */
  link: 'lost' | 'restored' | null;
  /** A farm changed state (null: none did). */
  farm: { name: string; state: FarmState } | null;
}

export class Connectivity {
  #lost: { code: number; since: number } | null = null;
  readonly #farms = new Map<string, FarmState>();
  #last: { code: number; text: string; at: number } | null = null;

  /** Applies one notice; says what changed, so the caller emits events only for changes. */
  apply(code: number, text: string, at: number): ConnectivityChange {
    this.#last = { code, text, at };
    const meaning = classifyNotice(code, text);
    const change: ConnectivityChange = { link: null, farm: null };
    if (meaning.kind === 'lost') {
      if (!this.#lost) change.link = 'lost';
      this.#lost ??= { code, since: at };
    } else if (meaning.kind === 'restored') {
      if (this.#lost) change.link = 'restored';
      this.#lost = null;
    } else if (meaning.kind === 'farm') {
      if (this.#farms.get(meaning.farm) !== meaning.state) change.farm = { name: meaning.farm, state: meaning.state };
      this.#farms.set(meaning.farm, meaning.state);
      // After 2110 a farm coming back is the sign the gateway restored its link by itself.
      if (meaning.state === 'ok' && this.#lost?.code === 2110) {
        this.#lost = null;
        change.link = 'restored';
      }
    }
    return change;
  }

  /** A new connection starts from scratch: the gateway repeats the farm states and any 1100. */
  reset(): void {
    this.#lost = null;
    this.#farms.clear();
  }

  get lost(): { code: number; since: number } | null {
    return this.#lost;
  }

  farms(): Record<string, FarmState> {
    return Object.fromEntries(this.#farms);
  }

  get lastNotice(): { code: number; text: string; at: number } | null {
    return this.#last;
  }
}
