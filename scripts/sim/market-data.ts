/**
 * /iserver/marketdata/snapshot with IBKR's field codes. Values are strings, as IBKR sends
 * them. The real endpoint answers the first request for a conid without any field values
 * (it only subscribes then), so clients must ask twice; `snapshotPreflight` keeps that quirk.
 */
import { priceOf, seededRandom, tickerOf } from './portfolio.js';

type FieldFn = (price: number, rand: () => number, conid: number) => string;

const FIELDS: Record<string, FieldFn> = {
  '31': (p) => p.toFixed(2), // last
  '55': (_p, _r, conid) => tickerOf(conid) ?? `C${conid}`, // symbol
  '58': () => '', // text
  '70': (p) => (p * 1.012).toFixed(2), // high
  '71': (p) => (p * 0.988).toFixed(2), // low
  '82': (p) => (p * 0.004).toFixed(2), // change
  '83': () => '0.40', // change %
  '84': (p) => (p - 0.01).toFixed(2), // bid
  '85': (_p, r) => String(Math.round(1 + r() * 20) * 100), // ask size
  '86': (p) => (p + 0.01).toFixed(2), // ask
  '87': (_p, r) => `${(1 + r() * 40).toFixed(1)}M`, // volume
  '88': (_p, r) => String(Math.round(1 + r() * 20) * 100), // bid size
  '6004': () => 'SMART', // exchange
  '6008': (_p, _r, conid) => String(conid), // conid
  '6070': () => 'STK', // security type
  '6119': () => 'q0', // market data server id
  '6509': () => 'RpB', // availability: realtime, price, bid/ask
  '7051': (_p, _r, conid) => `${tickerOf(conid) ?? 'Company'} Inc`, // company name
  '7289': (_p, r) => `${(10 + r() * 2000).toFixed(1)}B`, // market cap
  '7295': (p) => (p * 0.996).toFixed(2), // open
  '7296': (p) => (p * 0.996).toFixed(2), // prior close
};

export class MarketData {
  private readonly subscribed = new Set<number>();

  constructor(private readonly preflight: boolean) {}

  snapshot(conids: number[], fields: string[], now: number): Array<Record<string, unknown>> {
    return conids.map((conid) => {
      const row: Record<string, unknown> = { conid, conidEx: String(conid), _updated: now, server_id: 'q0' };
      if (this.preflight && !this.subscribed.has(conid)) {
        this.subscribed.add(conid);
        return row;
      }
      const price = priceOf(conid);
      for (const field of fields) {
        const fn = FIELDS[field];
        // One stream per field, so a value does not depend on which other fields were asked for.
        if (fn) row[field] = fn(price, seededRandom(`md:${conid}:${field}`), conid);
      }
      row['6119'] = 'q0';
      return row;
    });
  }

  /** Subscriptions belong to the brokerage session: a new login starts with none. */
  clear(): void {
    this.subscribed.clear();
  }
}
