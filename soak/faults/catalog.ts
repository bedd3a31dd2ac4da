/**
 * Every fault, and the schedule that orders them: rounds of the whole weighted list, each round
 * shuffled from the seed. A short run therefore meets as many different faults as it has steps,
 * and step N is the same fault for the same seed on the same build. A fault with `everyRounds`
 * is in round 0 and every n-th round after it only; the rounds between are that much shorter.
 */
import { roundPrng } from '../prng.js';
import { allowListChange, certificateRenewal, configEdit } from './config-faults.js';
import { daemonKill9, receiverDown } from './daemon-faults.js';
import type { Capability, Fault } from './fault.js';
import { gatewayCrash, gatewayKill9, gatewaySigstop, ibkrUnreachable, maintenance5xx, memoryGrowth, slowAnswers } from './gateway-faults.js';
import { rejectedPassword } from './login-faults.js';
import { maintenanceWindow } from './maintenance-faults.js';
import { TWS_FAULTS } from './tws-faults.js';
import { updateFailsHealthGate } from './update-faults.js';
import { brokerageDrop, competingSession, dailyReset, rateLimitStorm, sessionExpiry } from './session-faults.js';

export const FAULTS: readonly Fault[] = [
  gatewayCrash, gatewayKill9, gatewaySigstop, slowAnswers, ibkrUnreachable, maintenance5xx, memoryGrowth,
  sessionExpiry, brokerageDrop, competingSession, rateLimitStorm, dailyReset,
  configEdit, certificateRenewal, allowListChange,
  receiverDown, daemonKill9,
  maintenanceWindow, updateFailsHealthGate, rejectedPassword,
  ...TWS_FAULTS,
];

export interface Catalog {
  faults: Fault[];
  skipped: Array<{ fault: string; needs: Capability }>;
}

export function catalog(capabilities: ReadonlySet<Capability>, only: string[] | null = null): Catalog {
  const unknown = only?.filter((name) => !FAULTS.some((f) => f.name === name)) ?? [];
  if (unknown.length > 0) throw new Error(`--faults: no fault named ${unknown.join(', ')} (known: ${FAULTS.map((f) => f.name).join(', ')})`);
  const faults = FAULTS.filter((f) => (!f.needs || capabilities.has(f.needs)) && (!only || only.includes(f.name)));
  const skipped = FAULTS.filter((f) => f.needs && !capabilities.has(f.needs)).map((f) => ({ fault: f.name, needs: f.needs! }));
  return { faults, skipped };
}

export class Schedule {
  readonly #seed: string;
  readonly #faults: readonly Fault[];
  /** Each round's shuffled deck, in order; a step's round is found by walking their lengths. */
  readonly #rounds: Fault[][] = [];

  constructor(seed: string, faults: readonly Fault[]) {
    this.#seed = seed;
    this.#faults = faults;
    if (this.#deckFor(0).length === 0) throw new Error('no fault to schedule');
  }

  /** A rare fault alone in the list (`--faults daemon-kill9`) is in every round: nothing else would run. */
  #deckFor(round: number): Fault[] {
    const due = this.#faults.filter((f) => round % (f.everyRounds ?? 1) === 0);
    return (due.length > 0 ? due : this.#faults).flatMap((f) => Array.from({ length: f.weight }, () => f));
  }

  faultAt(step: number): Fault {
    let first = 0;
    for (let round = 0; ; round++) {
      let order = this.#rounds[round];
      if (!order) {
        order = roundPrng(this.#seed, round).shuffle(this.#deckFor(round));
        this.#rounds[round] = order;
      }
      if (step < first + order.length) return order[step - first]!;
      first += order.length;
    }
  }
}
