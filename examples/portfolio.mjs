#!/usr/bin/env node
// A local app reading its portfolio through the daemon (never the gateway directly):
//   IBGW_TOKEN=$(npx ibgw tokens create --name portfolio-example --scope read | tail -1) node examples/portfolio.mjs
// IBGW_URL defaults to http://127.0.0.1:5050. Waits for the gateway and the IBKR session first.
import { AuthenticationFailedError, ConnectionRefusedError, IbgwClient } from 'ibgw-supervisor/client';

const ibgw = new IbgwClient();

try {
  const ready = await ibgw.waitUntilReady({ timeoutMs: Number(process.env.IBGW_WAIT_MS ?? 60_000) });
  console.log(`connected (gateway ${ready.gateway}, session ${ready.session})`);
  const portfolio = await ibgw.getPortfolio(process.argv[2]);
  const value = portfolio.summary.netliquidation?.amount;
  console.log(`account ${portfolio.accountId}: ${portfolio.positions.length} positions in ${portfolio.pages} pages, net liquidation ${value ?? 'n/a'}`);
  for (const p of portfolio.positions.slice(0, 5)) console.log(`  ${String(p.contractDesc).padEnd(8)} ${String(p.position).padStart(6)} @ ${p.mktPrice} ${p.currency}`);
} catch (err) {
  if (err instanceof ConnectionRefusedError) console.error(`${err.message} — is the daemon running (npm start)?`);
  else if (err instanceof AuthenticationFailedError) console.error(`${err.message} — check IBGW_TOKEN, or log in to IBKR`);
  else console.error(err.message);
  process.exit(1);
}
