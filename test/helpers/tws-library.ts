/**
 * A real TWS API client library (@stoqey/ib, the npm client), driven the way an application
 * drives it: connect, then ask for the time, accounts, positions and account summary. And a
 * TCP relay that forwards from another loopback source address (127.0.0.2), because the library
 * cannot choose its source address — the gateway then sees the relay's address, exactly as it
 * sees a docker bridge address.
 */
import { createServer, connect, type Socket } from 'node:net';
import { EventName, IBApi } from '@stoqey/ib';

export interface LibrarySession {
  serverVersion: number;
  accounts: string;
  nextValidId: number;
  time: number;
  positions: Array<{ account: string; symbol: string | undefined; pos: number | undefined }>;
  summary: Array<{ account: string; tag: string; value: string; currency: string }>;
  notices: Array<{ code: number; message: string }>;
}

/** Resolves with everything the session got; rejects when the connection ends or times out first. */
export function librarySession(port: number, clientId: number, timeoutMs = 10_000): Promise<LibrarySession> {
  const ib = new IBApi({ host: '127.0.0.1', port, clientId });
  const got: Partial<LibrarySession> & { positions: LibrarySession['positions']; summary: LibrarySession['summary']; notices: LibrarySession['notices'] } = {
    positions: [], summary: [], notices: [],
  };
  return new Promise<LibrarySession>((resolve, reject) => {
    const finish = (err: Error | null) => {
      clearTimeout(timer);
      ib.removeAllListeners();
      ib.on(EventName.error, () => {});
      ib.disconnect();
      if (err) reject(err);
      else resolve(got as LibrarySession);
    };
    const timer = setTimeout(() => finish(new Error(`no complete session within ${timeoutMs} ms; got ${JSON.stringify(got)}`)), timeoutMs);
    let positionsDone = false;
    let summaryDone = false;
    const maybeDone = () => {
      if (positionsDone && summaryDone && got.time !== undefined && got.accounts !== undefined) finish(null);
    };
    ib.on(EventName.connected, () => (got.serverVersion = ib.serverVersion));
    ib.on(EventName.disconnected, () => finish(new Error(`disconnected; got ${JSON.stringify(got)}`)));
    ib.on(EventName.error, () => {});
    ib.on(EventName.info, (message: string, code: number) => got.notices.push({ code, message }));
    ib.on(EventName.managedAccounts, (accounts: string) => {
      got.accounts = accounts;
      maybeDone();
    });
    ib.on(EventName.nextValidId, (id: number) => {
      got.nextValidId = id;
      ib.reqCurrentTime();
      ib.reqPositions();
      ib.reqAccountSummary(9001, 'All', 'NetLiquidation,TotalCashValue,AccountType');
    });
    ib.on(EventName.currentTime, (time: number) => {
      got.time = time;
      maybeDone();
    });
    ib.on(EventName.position, (account: string, contract: { symbol?: string }, pos?: number) => got.positions.push({ account, symbol: contract.symbol, pos }));
    ib.on(EventName.positionEnd, () => {
      positionsDone = true;
      maybeDone();
    });
    ib.on(EventName.accountSummary, (_req: number, account: string, tag: string, value: string, currency: string) => got.summary.push({ account, tag, value, currency }));
    ib.on(EventName.accountSummaryEnd, () => {
      summaryDone = true;
      maybeDone();
    });
    ib.connect();
  });
}

/** Listens on 127.0.0.1:<port>; each connection is forwarded to `targetPort` from `localAddress`. */
export async function relayFrom(localAddress: string, targetPort: number): Promise<{ port: number; close(): void }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: targetPort, localAddress });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    close() {
      server.close();
      for (const s of sockets) s.destroy();
    },
  };
}
