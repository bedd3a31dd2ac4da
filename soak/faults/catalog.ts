/**
 * Every fault, and the schedule that orders them: rounds of the whole weighted list, each round
 * shuffled from the seed. A short run therefore meets as many different faults as it has steps,
 * and step N is the same fault for the same seed on the same build.
 */
import { roundPrng } from '../prng.js';
import { allowListChange, certificateRenewal, configEdit } from './config-faults.js';
import { daemonKill9, receiverDown } from './daemon-faults.js';
import type { Capability, Fault } from './fault.js';
import { gatewayCrash, gatewayKill9, gatewaySigstop, ibkrUnreachable, maintenance5xx, memoryGrowth, slowAnswers } from './gateway-faults.js';
import { rejectedPassword } from './login-faults.js';
import { maintenanceWindow } from './maintenance-faults.js';
import { updateFailsHealthGate } from './update-faults.js';
import { brokerageDrop, competingSession, dailyReset, rateLimitStorm, sessionExpiry } from './session-faults.js';

export const FAULTS: readonly Fault[] = [
  gatewayCrash, gatewayKill9, gatewaySigstop, slowAnswers, ibkrUnreachable, maintenance5xx, memoryGrowth,
  sessionExpiry, brokerageDrop, competingSession, rateLimitStorm, dailyReset,
  configEdit, certificateRenewal, allowListChange,
  receiverDown, daemonKill9,
  maintenanceWindow, updateFailsHealthGate, rejectedPassword,
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
  readonly #deck: Fault[];
  readonly #rounds = new Map<number, Fault[]>();

  constructor(seed: string, faults: readonly Fault[]) {
    this.#seed = seed;
    this.#deck = faults.flatMap((f) => Array.from({ length: f.weight }, () => f));
    if (this.#deck.length === 0) throw new Error('no fault to schedule');
  }

  faultAt(step: number): Fault {
    const round = Math.floor(step / this.#deck.length);
    let order = this.#rounds.get(round);
    if (!order) {
      order = roundPrng(this.#seed, round).shuffle(this.#deck);
      this.#rounds.set(round, order);
    }
    return order[step % this.#deck.length]!;
  }
}
