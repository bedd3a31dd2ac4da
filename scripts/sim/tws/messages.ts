/**
 * The few TWS API messages the simulated IB Gateway speaks, with IBKR's ids and field orders
 * (the "version" numbers inside messages are the per-message versions the official clients
 * send and expect). Everything is text on the wire; numbers are written as decimals.
 */
import { conidOf, positionsOf, seededRandom } from '../portfolio.js';

/** Client → gateway. */
export const IN = {
  PLACE_ORDER: 3,
  REQ_IDS: 8,
  REQ_MANAGED_ACCTS: 17,
  REQ_CURRENT_TIME: 49,
  REQ_POSITIONS: 61,
  REQ_ACCOUNT_SUMMARY: 62,
  CANCEL_ACCOUNT_SUMMARY: 63,
  CANCEL_POSITIONS: 64,
  START_API: 71,
} as const;

/** Gateway → client. */
export const OUT = {
  ERR_MSG: 4,
  NEXT_VALID_ID: 9,
  MANAGED_ACCTS: 15,
  CURRENT_TIME: 49,
  POSITION: 61,
  POSITION_END: 62,
  ACCOUNT_SUMMARY: 63,
  ACCOUNT_SUMMARY_END: 64,
} as const;

/** From this server version on, an error message carries an advanced-order-reject JSON field. */
const ADVANCED_ORDER_REJECT = 166;
/** The highest server version whose error message still carries a per-message version. */
export const MAX_SERVER_VERSION = 193;
export const MIN_CLIENT_VERSION = 100;

type Fields = Array<string | number>;

/** IBKR's notices and errors, with their text as the gateway sends it. `id` -1: not tied to a request. */
export const NOTICE = {
  connectivityLost: { code: 1100, text: 'Connectivity between IB and Trader Workstation has been lost.' },
  restoredDataLost: { code: 1101, text: 'Connectivity between IB and Trader Workstation has been restored - data lost.' },
  restoredDataMaintained: { code: 1102, text: 'Connectivity between IB and Trader Workstation has been restored - data maintained.' },
  serverBroken: { code: 2110, text: 'Connectivity between Trader Workstation and server is broken. It will be restored automatically.' },
  clientIdInUse: { code: 326, text: 'Unable to connect as the client id is already in use. Retry with a unique client id.' },
  readOnly: { code: 321, text: "Error validating request.-'bN' : cause - The API interface is currently in Read-Only mode." },
  orderRejected: { code: 201, text: 'Order rejected - reason:the simulated IB Gateway accepts no orders' },
} as const;

/** Data farms and their OK / broken notices (market data, historical data, security definitions). */
export const FARMS = {
  usfarm: { ok: 2104, broken: 2103, label: 'Market data farm' },
  ushmds: { ok: 2106, broken: 2105, label: 'HMDS data farm' },
  secdefil: { ok: 2158, broken: 2157, label: 'Sec-def data farm' },
} as const;
export type FarmName = keyof typeof FARMS;

export function farmNotice(farm: FarmName, ok: boolean): { code: number; text: string } {
  const f = FARMS[farm];
  return { code: ok ? f.ok : f.broken, text: `${f.label} connection is ${ok ? 'OK' : 'broken'}:${farm}` };
}

export function errorMessage(serverVersion: number, id: number, code: number, text: string): Fields {
  const fields: Fields = [OUT.ERR_MSG, 2, id, code, text];
  if (serverVersion >= ADVANCED_ORDER_REJECT) fields.push('');
  return fields;
}

export const nextValidId = (orderId: number): Fields => [OUT.NEXT_VALID_ID, 1, orderId];
export const managedAccounts = (accounts: string[]): Fields => [OUT.MANAGED_ACCTS, 1, accounts.join(',')];
export const currentTime = (epochSeconds: number): Fields => [OUT.CURRENT_TIME, 1, epochSeconds];
export const positionEnd = (): Fields => [OUT.POSITION_END, 1];
export const accountSummaryEnd = (reqId: number): Fields => [OUT.ACCOUNT_SUMMARY_END, 1, reqId];

/** Every position of every account, as POSITION messages (version 3: with trading class and average cost). */
export function positionMessages(accounts: string[], limit: number): Fields[] {
  const out: Fields[] = [];
  for (const account of accounts) {
    for (const p of positionsOf(account).slice(0, limit)) {
      out.push([
        OUT.POSITION, 3, account, conidOf(p.ticker), p.ticker, 'STK', '', 0, '', '', p.listingExchange, p.currency, p.ticker, p.ticker,
        p.position, p.avgCost,
      ]);
    }
  }
  return out;
}

/** The tags reqAccountSummary knows; the monetary ones come in USD. */
const SUMMARY_TAGS: Record<string, 'money' | 'text' | 'ratio' | 'count'> = {
  AccountType: 'text', NetLiquidation: 'money', TotalCashValue: 'money', SettledCash: 'money', AccruedCash: 'money',
  BuyingPower: 'money', EquityWithLoanValue: 'money', PreviousDayEquityWithLoanValue: 'money', GrossPositionValue: 'money',
  RegTEquity: 'money', RegTMargin: 'money', SMA: 'money', InitMarginReq: 'money', MaintMarginReq: 'money',
  AvailableFunds: 'money', ExcessLiquidity: 'money', Cushion: 'ratio', FullInitMarginReq: 'money', FullMaintMarginReq: 'money',
  FullAvailableFunds: 'money', FullExcessLiquidity: 'money', LookAheadNextChange: 'count', LookAheadInitMarginReq: 'money',
  LookAheadMaintMarginReq: 'money', LookAheadAvailableFunds: 'money', LookAheadExcessLiquidity: 'money',
  HighestSeverity: 'count', DayTradesRemaining: 'count', Leverage: 'ratio',
};

/** ACCOUNT_SUMMARY messages for the tags asked (comma-separated; unknown tags are skipped, as TWS does). */
export function accountSummaryMessages(reqId: number, accounts: string[], tags: string, paper: boolean): Fields[] {
  const asked = tags.split(',').map((t) => t.trim()).filter((t) => t in SUMMARY_TAGS);
  const out: Fields[] = [];
  for (const account of accounts) {
    const rand = seededRandom(`tws-summary:${account}`);
    const values = Object.fromEntries(Object.keys(SUMMARY_TAGS).map((tag) => [tag, rand()]));
    for (const tag of asked) {
      const kind = SUMMARY_TAGS[tag]!;
      const r = values[tag]!;
      const value = kind === 'text' ? (paper ? 'DEMO' : 'INDIVIDUAL')
        : kind === 'money' ? (r * 1_000_000).toFixed(2)
        : kind === 'ratio' ? r.toFixed(4)
        : tag === 'DayTradesRemaining' ? '-1' : '0';
      out.push([OUT.ACCOUNT_SUMMARY, 1, reqId, account, tag, value, kind === 'money' ? 'USD' : '']);
    }
  }
  return out;
}
