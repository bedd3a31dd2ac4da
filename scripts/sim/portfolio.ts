/**
 * A demo portfolio that is the same on every run: positions, prices and balances all come
 * from a PRNG seeded by the account id, so tests and benchmarks can pin exact values. Shapes
 * follow IBKR's /portfolio answers (field names, IBKR's spellings, lower-case summary keys).
 */
import { createHash } from 'node:crypto';

export const POSITIONS_PER_PAGE = 30;
const POSITION_COUNT = 75;

const TICKERS = [
  'AAPL', 'MSFT', 'AMZN', 'GOOGL', 'META', 'NVDA', 'TSLA', 'BRK B', 'JPM', 'V', 'JNJ', 'WMT', 'PG', 'MA', 'UNH',
  'HD', 'DIS', 'BAC', 'XOM', 'KO', 'PEP', 'CSCO', 'ORCL', 'INTC', 'AMD', 'NFLX', 'ADBE', 'CRM', 'T', 'VZ',
  'PFE', 'MRK', 'ABBV', 'CVX', 'NKE', 'MCD', 'COST', 'TMO', 'ABT', 'DHR', 'LLY', 'AVGO', 'TXN', 'QCOM', 'IBM',
  'HON', 'UPS', 'CAT', 'GS', 'MS', 'BA', 'MMM', 'GE', 'F', 'GM', 'SBUX', 'PYPL', 'UBER', 'SHOP', 'SQ',
  'SPY', 'QQQ', 'IWM', 'DIA', 'EFA', 'EEM', 'TLT', 'GLD', 'SLV', 'USO', 'XLE', 'XLF', 'XLK', 'XLV', 'VTI',
];

/** mulberry32: tiny, fast and good enough for made-up prices. */
export function seededRandom(seed: string): () => number {
  let a = createHash('sha256').update(seed).digest().readUInt32BE(0);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (n: number, digits = 2): number => Number(n.toFixed(digits));

export interface Position {
  acctId: string;
  conid: number;
  contractDesc: string;
  position: number;
  mktPrice: number;
  mktValue: number;
  currency: string;
  avgCost: number;
  avgPrice: number;
  realizedPnl: number;
  unrealizedPnl: number;
  assetClass: string;
  ticker: string;
  listingExchange: string;
  expiry: null;
  putOrCall: null;
  multiplier: number;
  strike: number;
  exerciseStyle: null;
  undConid: number;
  model: string;
}

/** Conids are stable per ticker (IBKR's AAPL is 265598; ours just need to be fixed). */
export function conidOf(ticker: string): number {
  if (ticker === 'AAPL') return 265598;
  return 4_000_000 + (createHash('sha256').update(ticker).digest().readUInt32BE(0) % 500_000_000);
}

/** A stable reference price for any conid, used by positions and market data alike. */
export function priceOf(conid: number): number {
  return round(5 + seededRandom(`price:${conid}`)() * 495);
}

export function tickerOf(conid: number): string | undefined {
  return TICKERS.find((t) => conidOf(t) === conid);
}

export function positionsOf(accountId: string): Position[] {
  const rand = seededRandom(`positions:${accountId}`);
  return TICKERS.slice(0, POSITION_COUNT).map((ticker) => {
    const conid = conidOf(ticker);
    const price = priceOf(conid);
    const position = Math.round(1 + rand() * 500) * (rand() < 0.1 ? -1 : 1);
    const avgPrice = round(price * (0.7 + rand() * 0.6));
    const etf = ticker.length === 3 && /^(SPY|QQQ|IWM|DIA|EFA|EEM|TLT|GLD|SLV|USO|XL.|VTI)$/.test(ticker);
    return {
      acctId: accountId,
      conid,
      contractDesc: ticker,
      position,
      mktPrice: price,
      mktValue: round(price * position),
      currency: 'USD',
      avgCost: avgPrice,
      avgPrice,
      realizedPnl: round((rand() - 0.5) * 2000),
      unrealizedPnl: round((price - avgPrice) * position),
      assetClass: 'STK',
      ticker,
      listingExchange: etf ? 'ARCA' : 'NASDAQ',
      expiry: null,
      putOrCall: null,
      multiplier: 0,
      strike: 0,
      exerciseStyle: null,
      undConid: 0,
      model: '',
    };
  });
}

/** Page `page` (from 0) of the positions; past the end IBKR answers an empty array. */
export function positionsPage(accountId: string, page: number): Position[] {
  return positionsOf(accountId).slice(page * POSITIONS_PER_PAGE, (page + 1) * POSITIONS_PER_PAGE);
}

export function portfolioAccount(accountId: string, paper: boolean): Record<string, unknown> {
  return {
    id: accountId,
    accountId,
    accountVan: accountId,
    accountTitle: 'Demo Account',
    displayName: accountId,
    accountAlias: null,
    accountStatus: 1_600_000_000_000,
    currency: 'USD',
    type: paper ? 'DEMO' : 'INDIVIDUAL',
    tradingType: 'STKNOPT',
    businessType: 'IB_PROSERVE',
    ibEntity: 'IBLLC-US',
    faclient: false,
    clearingStatus: 'O',
    covestor: false,
    noClientTrading: false,
    trackVirtualFXPortfolio: true,
    parent: { mmc: [], accountId: '', isMParent: false, isMChild: false, isMultiplex: false },
    desc: accountId,
  };
}

const SUMMARY_KEYS = [
  'accruedcash', 'availablefunds', 'buyingpower', 'cushion', 'equitywithloanvalue', 'excessliquidity',
  'fullavailablefunds', 'fullexcessliquidity', 'fullinitmarginreq', 'fullmaintmarginreq', 'grosspositionvalue',
  'guarantee', 'incentivecoupons', 'indianstockhaircut', 'initmarginreq', 'lookaheadavailablefunds',
  'lookaheadexcessliquidity', 'lookaheadinitmarginreq', 'lookaheadmaintmarginreq', 'maintmarginreq',
  'netliquidation', 'netliquidationuncertainty', 'nlvandmargininreview', 'pasharesvalue', 'physicalcertificatevalue',
  'postexpirationexcess', 'postexpirationmargin', 'previousdayequitywithloanvalue', 'regtequity', 'regtmargin',
  'sma', 'totalcashvalue', 'totaldebitcardpendingcharges',
];
// IBKR repeats most balances for the commodity (-c) and securities (-s) segments.
const SEGMENTS = ['', '-c', '-s'];
const TEXT_KEYS: Record<string, string> = { accountcode: '', accountready: 'true', accounttype: 'INDIVIDUAL', segmenttitle: '' };

export function accountSummary(accountId: string, now: number): Record<string, unknown> {
  const rand = seededRandom(`summary:${accountId}`);
  const entry = (amount: number | null, value: string | null) => ({
    amount: amount ?? 0,
    currency: amount === null ? null : 'USD',
    isNull: amount === null && value === null,
    timestamp: now,
    value,
    severity: 0,
  });
  const summary: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(TEXT_KEYS)) summary[key] = entry(null, key === 'accountcode' ? accountId : text);
  for (const key of SUMMARY_KEYS) {
    for (const segment of SEGMENTS) summary[key + segment] = entry(round(rand() * 1_000_000), null);
  }
  return summary;
}
