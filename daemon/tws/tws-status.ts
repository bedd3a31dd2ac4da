/** The TWS keeper's status: the Client Portal keeper's SessionStatus plus what the TWS API tells. */
import type { SessionStatus } from '../session/keeper-types.js';
import type { FarmState } from './connectivity.js';
import type { IbcOutcome } from './ibc-log.js';

export interface TwsSessionStatus extends SessionStatus {
  tws: {
    /** The daemon's own API client id. */
    clientId: number;
    serverVersion: number | null;
    /** The gateway's connection time as it sent it (`yyyyMMdd HH:mm:ss zone`). */
    connectionTime: string | null;
    accounts: string[];
    /** The gateway's link to IBKR as its notices tell (unknown: no API connection). */
    connectivity: 'ok' | 'lost' | 'unknown';
    farms: Record<string, FarmState>;
    lastNotice: { code: number; text: string; at: number } | null;
    /** IBC's last login outcome since the last launch (cleared once the API answers). */
    lastIbc: { outcome: IbcOutcome; at: number } | null;
    /** Restarts done through IBC's RESTART (in place, no second factor). */
    ibcRestarts: number;
  };
}
