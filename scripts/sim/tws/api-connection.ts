/**
 * One API client on the simulated IB Gateway's port, from the version handshake through
 * START_API to the requests. While the hang fault is on, nothing is answered at all (a hung
 * JVM reads nothing and writes nothing); while IBKR is unreachable, requests that need IBKR
 * (positions, account summary) go unanswered but the gateway's own clock still answers.
 */
import type { Socket } from 'node:net';
import type { GatewayState, NoticeTarget } from './gateway-state.js';
import {
  accountSummaryEnd, accountSummaryMessages, currentTime, errorMessage, IN, managedAccounts, MIN_CLIENT_VERSION, nextValidId, NOTICE,
  positionEnd, positionMessages,
} from './messages.js';
import { connectionTime, encodeFrame, FrameReader, parseVersionRange } from './wire.js';

type Fields = Array<string | number>;

export class ApiConnection implements NoticeTarget {
  clientId: number | null = null;
  #serverVersion = 0;
  readonly #reader = new FrameReader(true);

  constructor(private readonly socket: Socket, readonly peer: string, private readonly gw: GatewayState) {
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('close', () => gw.connections.delete(this));
    socket.on('error', () => socket.destroy());
  }

  notice(code: number, text: string): void {
    if (this.clientId !== null && !this.gw.faults.hang) this.#send(errorMessage(this.#serverVersion, -1, code, text));
  }

  #send(fields: Fields): void {
    if (!this.socket.destroyed) this.socket.write(encodeFrame(fields));
  }

  #onData(chunk: Buffer): void {
    if (this.gw.faults.hang) return; // a hung JVM: bytes pile up unread
    for (const event of this.#reader.push(chunk)) {
      if (event.kind === 'invalid') {
        this.socket.destroy();
        return;
      }
      if (event.kind === 'handshake') this.#onHandshake(event.range);
      else this.#onMessage(event.fields);
    }
  }

  #onHandshake(range: string): void {
    const r = parseVersionRange(range);
    if (!r) {
      this.socket.destroy();
      return;
    }
    this.gw.count('handshake');
    this.#serverVersion = Math.min(r.max, this.gw.sim.serverVersion);
    this.#send([this.#serverVersion, connectionTime(new Date(), this.gw.sim.timeZone)]);
    // Nothing in common: the client learns the server version, then the gateway hangs up.
    if (this.#serverVersion < Math.max(r.min, MIN_CLIENT_VERSION)) this.socket.end();
  }

  #onMessage(fields: string[]): void {
    const id = Number(fields[0]);
    if (this.clientId === null) {
      if (id === IN.START_API) this.#startApi(fields);
      return; // TWS ignores anything before START_API
    }
    this.gw.count(String(id));
    switch (id) {
      case IN.REQ_CURRENT_TIME:
        return this.#send(currentTime(Math.floor(Date.now() / 1000)));
      case IN.REQ_IDS:
        return this.#send(nextValidId(this.gw.nextOrderId));
      case IN.REQ_MANAGED_ACCTS:
        return this.#send(managedAccounts(this.gw.accounts));
      case IN.REQ_POSITIONS:
        if (this.gw.faults.unreachable) return; // IBKR out of reach: the request waits forever
        for (const m of positionMessages(this.gw.accounts, this.gw.sim.positionsPerAccount)) this.#send(m);
        return this.#send(positionEnd());
      case IN.REQ_ACCOUNT_SUMMARY: {
        if (this.gw.faults.unreachable) return;
        const reqId = Number(fields[2]);
        for (const m of accountSummaryMessages(reqId, this.gw.accounts, fields[4] ?? '', this.gw.paper)) this.#send(m);
        return this.#send(accountSummaryEnd(reqId));
      }
      case IN.PLACE_ORDER: {
        const orderId = Number(fields[1]);
        const n = this.gw.readOnly ? NOTICE.readOnly : NOTICE.orderRejected;
        return this.#send(errorMessage(this.#serverVersion, orderId, n.code, n.text));
      }
      default:
        return; // cancels and everything else: nothing to answer
    }
  }

  #startApi(fields: string[]): void {
    const clientId = Number(fields[2]);
    if (!Number.isInteger(clientId)) {
      this.socket.destroy();
      return;
    }
    if (this.gw.clientIdInUse(clientId)) {
      this.#send(errorMessage(this.#serverVersion, -1, NOTICE.clientIdInUse.code, NOTICE.clientIdInUse.text));
      this.socket.end();
      return;
    }
    this.clientId = clientId;
    this.gw.connections.add(this);
    this.gw.count('START_API');
    this.#send(managedAccounts(this.gw.accounts));
    this.#send(nextValidId(this.gw.nextOrderId));
    for (const n of this.gw.greetingNotices()) this.notice(n.code, n.text);
  }
}
