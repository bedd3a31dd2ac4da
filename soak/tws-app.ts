/**
 * An application of the TWS API, as users write them: @stoqey/ib (a TWS API client library,
 * written apart from this project, so the check does not trust the code it checks) connects to
 * the gateway's API port, waits for the accounts and the next order id, asks the time and the
 * positions, and disconnects. One such session is one "call" of the soak's IB Gateway app; its
 * outcome beside the daemon's /readyz feeds the readiness invariant of that daemon.
 */
import { EventName, IBApi } from '@stoqey/ib';

export interface TwsSessionOutcome {
  ok: boolean;
  /** Why it failed: a timeout with what had arrived, a disconnect, an error code. */
  reason: string | null;
}

/** Never throws: every way it can fail is an outcome with its reason. */
export function twsSession(port: number, clientId: number, account: string, timeoutMs = 8_000): Promise<TwsSessionOutcome> {
  const ib = new IBApi({ host: '127.0.0.1', port, clientId });
  const got = { connected: false, accounts: '', nextId: false, time: false, positionsEnd: false, errors: [] as string[] };
  return new Promise<TwsSessionOutcome>((resolve) => {
    let settled = false;
    const finish = (reason: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ib.removeAllListeners();
      // The library reports a write to a closed socket as an error event: heard, not thrown.
      ib.on(EventName.error, () => {});
      try {
        ib.disconnect();
      } catch {
        // already closed
      }
      resolve({ ok: reason === null, reason });
    };
    const seen = () => [got.connected && 'connected', got.accounts && 'accounts', got.nextId && 'next id', got.time && 'time', got.positionsEnd && 'positions'].filter(Boolean).join(', ') || 'nothing';
    const timer = setTimeout(() => finish(`no complete answer within ${timeoutMs} ms (got ${seen()}${got.errors.length ? `; ${got.errors.slice(-2).join('; ')}` : ''})`), timeoutMs);
    const maybeDone = () => {
      if (!got.time || !got.positionsEnd || !got.accounts) return;
      finish(got.accounts.split(',').includes(account) ? null : `managed accounts ${got.accounts} lack ${account}`);
    };
    ib.on(EventName.connected, () => (got.connected = true));
    ib.on(EventName.disconnected, () => finish(`disconnected (got ${seen()})`));
    // Codes below 2100 that are not notices are failures of the connection or the request.
    ib.on(EventName.error, (err: Error, code: number) => got.errors.push(`error ${code}: ${err?.message ?? err}`));
    ib.on(EventName.managedAccounts, (accounts: string) => {
      got.accounts = accounts;
      maybeDone();
    });
    ib.on(EventName.nextValidId, () => {
      got.nextId = true;
      ib.reqCurrentTime();
      ib.reqPositions();
    });
    ib.on(EventName.currentTime, () => {
      got.time = true;
      maybeDone();
    });
    ib.on(EventName.positionEnd, () => {
      got.positionsEnd = true;
      maybeDone();
    });
    try {
      ib.connect();
    } catch (err) {
      finish(`connect: ${(err as Error).message}`);
    }
  });
}
