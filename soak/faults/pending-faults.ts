/**
 * Slots for faults the soak's daemon cannot meet yet. Each names what it needs; the catalog
 * leaves it out (and the report says so) until the running daemon has it.
 */
import type { Fault } from './fault.js';

/**
 * An update to a gateway version that never becomes ready: the health gate fails and rolls
 * back. Updates exist for kind clientportal only (installed distributions); the soak runs the
 * simulated kind. Filling this slot takes a soak daemon of kind clientportal on fixture
 * distributions whose stand-in JVM runs the simulator (test/helpers/distributions.ts, to be
 * moved into testkit/ so soak/ may use it) and one version that never listens.
 */
export const updateFailsHealthGate: Fault = {
  name: 'update-fails-health-gate', weight: 1, boundMs: 180_000, needs: 'gatewayUpdates',
  recovered: 'the update was rolled back to the previous version, which runs with an authenticated session',
  inject: async () => {
    throw new Error('update-fails-health-gate needs a clientportal-kind soak daemon');
  },
};
