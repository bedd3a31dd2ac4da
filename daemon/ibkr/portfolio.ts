/**
 * The guide's getPortfolio in one call: the accounts, every page of one account's positions
 * and its summary, each through the pass-through (so paced, cached and coalesced like any app
 * call). IBKR wants /portfolio/accounts asked before the other /portfolio calls; it is cached
 * for a minute, so that costs nothing after the first time.
 */
import { ERR_IBKR_ACCOUNT, ERR_IBKR_UPSTREAM } from '../errors.js';
import type { ForwardAnswer, ForwardRequest } from './pass-through.js';

export type Forward = (request: ForwardRequest) => Promise<ForwardAnswer>;

export interface Portfolio {
  accountId: string;
  accounts: Array<Record<string, unknown>>;
  positions: Array<Record<string, unknown>>;
  summary: Record<string, unknown>;
  /** Position pages read (the last one short or empty). */
  pages: number;
  fetchedAt: string;
}

/** IBKR's pages hold up to 100 positions (30 on some builds); a portfolio needs few pages. */
const MAX_PAGES = 50;

async function getJson<T>(forward: Forward, target: string): Promise<T> {
  const answer = await forward({ method: 'GET', target });
  if (answer.status !== 200) {
    const err = ERR_IBKR_UPSTREAM(`GET ${target}`, answer.status);
    err.details = { upstreamStatus: answer.status, upstreamBody: answer.body.subarray(0, 1000).toString('utf8') };
    throw err;
  }
  try {
    return JSON.parse(answer.body.toString('utf8')) as T;
  } catch {
    throw ERR_IBKR_UPSTREAM(`GET ${target} (not JSON)`, answer.status);
  }
}

const idOf = (account: Record<string, unknown>): string => String(account.accountId ?? account.id ?? '');

export async function loadPortfolio(forward: Forward, accountId?: string): Promise<Portfolio> {
  const accounts = await getJson<Array<Record<string, unknown>>>(forward, '/portfolio/accounts');
  const ids = Array.isArray(accounts) ? accounts.map(idOf).filter(Boolean) : [];
  const chosen = accountId ?? ids[0];
  if (!chosen || !ids.includes(chosen)) throw ERR_IBKR_ACCOUNT(accountId ?? '(none)', ids.length ? ids.join(', ') : 'no accounts');
  const account = encodeURIComponent(chosen);
  const [summary, paged] = await Promise.all([
    getJson<Record<string, unknown>>(forward, `/portfolio/${account}/summary`),
    allPositions(forward, account),
  ]);
  return { accountId: chosen, accounts, positions: paged.positions, summary, pages: paged.pages, fetchedAt: new Date().toISOString() };
}

/** Pages from 0 until one comes back shorter than the first (or empty). */
async function allPositions(forward: Forward, account: string): Promise<{ positions: Array<Record<string, unknown>>; pages: number }> {
  const positions: Array<Record<string, unknown>> = [];
  let pageSize = 0;
  for (let page = 0; page < MAX_PAGES; page++) {
    const rows = await getJson<Array<Record<string, unknown>>>(forward, `/portfolio/${account}/positions/${page}`);
    const list = Array.isArray(rows) ? rows : [];
    positions.push(...list);
    if (page === 0) pageSize = list.length;
    if (list.length === 0 || list.length < pageSize) return { positions, pages: page + 1 };
  }
  return { positions, pages: MAX_PAGES };
}
