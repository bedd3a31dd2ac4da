/**
 * The gateway's lifecycle states and the only moves between them. Every change goes through
 * `transition`, so an impossible move (a crash handler racing a stop) fails loudly instead of
 * silently putting the supervisor in a state it cannot leave.
 */
import { ERR_INVALID_TRANSITION } from '../errors.js';

/** Every state, in lifecycle order: the one list the type, the API schema and the daemon read. */
export const SUPERVISOR_STATES = ['stopped', 'starting', 'running', 'backoff', 'stopping', 'fatal'] as const;
export type SupervisorState = (typeof SUPERVISOR_STATES)[number];

/**
 * The gateway is meant to be running: up, coming up, or waiting out a backoff before the next
 * automatic start. Not after an operator stop, nor fatal (both wait for an operator).
 */
export function isActive(state: SupervisorState): boolean {
  return state === 'starting' || state === 'running' || state === 'backoff';
}

/** A gateway process lives and is not being stopped: starting (port not yet open) or running. */
export function isUp(state: SupervisorState): boolean {
  return state === 'starting' || state === 'running';
}

export const LEGAL_TRANSITIONS: Readonly<Record<SupervisorState, readonly SupervisorState[]>> = {
  // fatal (from stopped and backoff too): fail(), a caller that knows no restart can help
  // (a maintenance change and its rollback both failed).
  stopped: ['starting', 'fatal'],
  // backoff: failed start; fatal: launch command missing or restart window exceeded;
  // stopping: stop() or a planned restart while starting.
  starting: ['running', 'backoff', 'fatal', 'stopping'],
  running: ['backoff', 'fatal', 'stopping'],
  // stopped: stop() cancels the pending restart; starting: the timer fired, or an operator start.
  backoff: ['starting', 'stopped', 'fatal'],
  // starting: the second half of a planned restart; fatal: the group could not be emptied.
  stopping: ['stopped', 'starting', 'fatal'],
  // Only an operator start (or planned restart) leaves fatal; stop() leaves it as it is.
  fatal: ['starting'],
};

export interface StateChange {
  from: SupervisorState;
  to: SupervisorState;
  reason: string;
  at: string;
}

export class StateMachine {
  #state: SupervisorState = 'stopped';
  #since: string;
  #reason = 'not started';
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
    this.#since = new Date(now()).toISOString();
  }

  get state(): SupervisorState {
    return this.#state;
  }

  get since(): string {
    return this.#since;
  }

  get reason(): string {
    return this.#reason;
  }

  can(to: SupervisorState): boolean {
    return LEGAL_TRANSITIONS[this.#state].includes(to);
  }

  transition(to: SupervisorState, reason: string): StateChange {
    if (!this.can(to)) throw ERR_INVALID_TRANSITION(`go to ${to}`, this.#state);
    const change: StateChange = { from: this.#state, to, reason, at: new Date(this.#now()).toISOString() };
    this.#state = to;
    this.#since = change.at;
    this.#reason = reason;
    return change;
  }
}
