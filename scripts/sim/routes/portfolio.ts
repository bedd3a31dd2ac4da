/**
 * Account and market-data endpoints. They all need the brokerage session: with SSO alone IBKR
 * answers 401 here, which is how a client learns to call reauthenticate.
 */
import type { SimContext } from '../context.js';
import { json, unauthorized, type Reply, type SimRequest } from '../http-io.js';
import { accountSummary, portfolioAccount, positionsPage } from '../portfolio.js';
import type { SsoSession } from '../session.js';
import type { Route } from './route.js';

function brokerage(ctx: SimContext): SsoSession | null {
  const s = ctx.session.current();
  return s && s.brokerage === 'authenticated' ? s : null;
}

type Guarded = (req: SimRequest, ctx: SimContext, s: SsoSession, params: Record<string, string>) => Reply;

function guarded(fn: Guarded) {
  return (req: SimRequest, ctx: SimContext, params: Record<string, string>): Reply => {
    const s = brokerage(ctx);
    return s ? fn(req, ctx, s, params) : unauthorized();
  };
}

function ownAccount(s: SsoSession, accountId: string): Reply | null {
  return s.user.accounts.includes(accountId) ? null : json(500, { error: `Account ${accountId} is not found for user`, statusCode: 500 });
}

const iserverAccounts: Guarded = (_req, ctx, s) => {
  const accounts = s.user.accounts;
  return json(200, {
    accounts,
    acctProps: Object.fromEntries(accounts.map((a) => [a, { hasChildAccounts: false, supportsCashQty: true, supportsFractions: true, allowCustomerTime: false }])),
    aliases: Object.fromEntries(accounts.map((a) => [a, a])),
    allowFeatures: { showGFIS: true, showEUCostReport: false, allowFXConv: true, allowTypeAhead: true, snapshotRefreshTimeout: 30 },
    chartPeriods: { STK: ['*'], CFD: ['*'], OPT: ['2h', '1d', '2d', '1w', '1m'], FUT: ['*'] },
    groups: [],
    profiles: [],
    selectedAccount: accounts[0],
    serverInfo: ctx.session.authStatus().serverInfo,
    sessionId: s.id,
    isFT: false,
    isPaper: s.user.paper,
  });
};

const portfolioAccounts: Guarded = (_req, _ctx, s) => json(200, s.user.accounts.map((a) => portfolioAccount(a, s.user.paper)));

const positions: Guarded = (_req, _ctx, s, params) => {
  const page = Number(params.page);
  if (!Number.isInteger(page) || page < 0) return json(400, { error: `Bad page ${params.page}`, statusCode: 400 });
  return ownAccount(s, params.accountId!) ?? json(200, positionsPage(params.accountId!, page));
};

const summary: Guarded = (_req, ctx, s, params) => ownAccount(s, params.accountId!) ?? json(200, accountSummary(params.accountId!, ctx.now()));

const snapshot: Guarded = (req, ctx) => {
  const conids = (req.query.get('conids') ?? '').split(',').filter((c) => c !== '').map(Number);
  if (conids.length === 0 || conids.some((c) => !Number.isInteger(c) || c <= 0)) {
    return json(400, { error: 'conids is required and must be a comma-separated list of numbers', statusCode: 400 });
  }
  const fields = (req.query.get('fields') ?? '31').split(',').filter((f) => f !== '');
  return json(200, ctx.marketData.snapshot(conids, fields, ctx.now()));
};

export const portfolioRoutes: Route[] = [
  { methods: ['GET'], path: '/iserver/accounts', handler: guarded(iserverAccounts) },
  { methods: ['GET'], path: '/portfolio/accounts', handler: guarded(portfolioAccounts) },
  { methods: ['GET'], path: '/portfolio/{accountId}/positions/{page}', handler: guarded(positions) },
  { methods: ['GET'], path: '/portfolio/{accountId}/summary', handler: guarded(summary) },
  { methods: ['GET'], path: '/iserver/marketdata/snapshot', handler: guarded(snapshot) },
];
