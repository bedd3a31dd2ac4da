/**
 * Slots for faults whose capabilities are still landing on main. Each names what it needs; the
 * catalog leaves it out (and the report says so) until the running daemon has it.
 */
import type { Fault } from './fault.js';

const notYet = (what: string) => async (): Promise<never> => {
  throw new Error(`${what}: not written yet for this build`);
};

/** A maintenance window with each action (restart, stop, quiet, apply staged conf / allow list / certificate). */
export const maintenanceWindow: Fault = {
  name: 'maintenance-window', weight: 1, boundMs: 120_000, needs: 'maintenance',
  recovered: 'the window ran its action and ended; the gateway runs, the session is authenticated, /readyz answers 200',
  inject: notYet('maintenance-window'),
};

/** An update to a gateway version that never becomes ready: the health gate fails and rolls back. */
export const updateFailsHealthGate: Fault = {
  name: 'update-fails-health-gate', weight: 1, boundMs: 180_000, needs: 'gatewayVersions',
  recovered: 'the update was rolled back to the previous version, which runs with an authenticated session',
  inject: notYet('update-fails-health-gate'),
};

/** A wrong password in the vault: the daemon's login is rejected once and never retried until the operator fixes it. */
export const rejectedPassword: Fault = {
  name: 'rejected-password', weight: 1, boundMs: 90_000, needs: 'loginDriver',
  recovered: 'after the right credentials are stored the block is cleared, one login succeeds and /readyz answers 200',
  inject: notYet('rejected-password'),
};
