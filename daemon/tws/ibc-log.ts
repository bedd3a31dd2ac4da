/**
 * What IBC says about a login, read from the gateway's captured output. IBC logs to stdout as
 * `yyyy-MM-dd HH:mm:ss:SSS IBC: <message>` (its ibcstart.sh adds plain lines of its own); the
 * messages below are IBC 3.x's (LoginManager, LoginFailedDialogHandler,
 * ExistingSessionDetectedDialogHandler, TooManyFailedLoginAttemptsDialogHandler). The exit
 * codes are IBC's ErrorCodes modulo 256, as the launcher's exit status carries them.
 */
import type { KeeperState } from '../session/ladder.js';

export type IbcOutcome =
  | 'login-attempt'
  | 'login-completed'
  /** Wrong credentials. IBC then cold-restarts and types the same password again. */
  | 'login-failed'
  | 'too-many-failures'
  | 'second-factor'
  | 'second-factor-timeout'
  /** Another session holds the login and this gateway gave way (ExistingSessionDetectedAction secondary). */
  | 'existing-session-yielded'
  /** Another session holds the login and the dialog waits for a human (manual). */
  | 'existing-session-waiting'
  | 'existing-session-continued'
  /** ibcstart.sh found the gateway's autorestart file: the next start needs no credentials. */
  | 'auto-restart';

/** IBC halts with 1111 after a second-factor timeout and 1112 when no login dialog appeared. */
export const EXIT_SECOND_FACTOR_TIMEOUT = 1111 % 256;
export const EXIT_LOGIN_DIALOG_TIMEOUT = 1112 % 256;

const IBC_RULES: Array<[RegExp, IbcOutcome]> = [
  [/^Login attempt: \d+/, 'login-attempt'],
  [/^Login has completed$/, 'login-completed'],
  [/^Login failed$/, 'login-failed'],
  [/^Too many failed login attempts/, 'too-many-failures'],
  [/^Second Factor Authentication initiated/, 'second-factor'],
  [/^IBC closing because login has not completed after Second Factor Authentication/, 'second-factor-timeout'],
  [/^Exiting after error with exit code=1111$/, 'second-factor-timeout'],
  [/^End this session and let the other session proceed/, 'existing-session-yielded'],
  [/^Other session must be primary or primary override, so end this session/, 'existing-session-yielded'],
  [/^User must choose whether to continue with this session/, 'existing-session-waiting'],
  [/^(Don't know the type of the other session, so continue this one|Continue this session and let the other session exit)/, 'existing-session-continued'],
];

const IBC_PREFIX = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3} IBC: (.*)$/;

export function ibcOutcome(line: string): IbcOutcome | null {
  const m = IBC_PREFIX.exec(line.trimEnd());
  if (m) {
    const message = m[1]!;
    for (const [pattern, outcome] of IBC_RULES) if (pattern.test(message)) return outcome;
    return null;
  }
  return /^autorestart file found at .*authentication will not be required/.test(line) ? 'auto-restart' : null;
}

/** The session state an IBC outcome stands for while the API port is not (yet) answering. */
export function ibcState(outcome: IbcOutcome | undefined, competing: string): [KeeperState, string] | null {
  switch (outcome) {
    case 'second-factor': return ['needs-login', 'IBC waits for the second factor: approve the login on IBKR Mobile'];
    case 'second-factor-timeout': return ['needs-login', 'the second factor was not approved in time; the next start is a new, budgeted login'];
    case 'existing-session-yielded':
    case 'existing-session-waiting': return ['competing', `another session of this user is logged in (session.competing: ${competing})`];
    case 'login-attempt': return ['logging-in', 'IBC is logging in'];
    case 'auto-restart': return ['restarting', 'IB Gateway restarts itself, no second factor (autorestart)'];
    default: return null;
  }
}

/** What the keeper does about an IBC outcome: an event, a login block, a stop of the gateway. */
export interface IbcReaction {
  event: { level: 'info' | 'warn' | 'error'; message: string } | null;
  /** Block automated logins for this reason (a rejected password must never be typed again). */
  block: string | null;
  /** Stop the gateway for this reason (before IBC's own retry). */
  stop: string | null;
  /**
   * The stop cannot wait for IBC to close the gateway itself: its cold restart types the same
   * password again within a second or two, so the group is ended at once (no session to lose).
   */
  urgent?: boolean;
}

export function ibcReaction(outcome: IbcOutcome, competing: 'takeover' | 'wait' | 'report'): IbcReaction {
  const none: IbcReaction = { event: null, block: null, stop: null };
  switch (outcome) {
    case 'login-failed':
    case 'too-many-failures': {
      const why = outcome === 'login-failed' ? 'IBC: login failed (IBKR refused the credentials)' : 'IBC: too many failed login attempts';
      // Stop at once (the block is written beside it): IBC's cold restart is about to type the same password again.
      return { event: { level: 'error', message: `${why}: automated logins stop and the gateway is stopped` }, block: why, stop: `${why}: automated logins stopped`, urgent: true };
    }
    case 'second-factor':
      return { ...none, event: { level: 'warn', message: 'IBC waits for the second factor: approve the login on IBKR Mobile' } };
    case 'second-factor-timeout':
      return { ...none, event: { level: 'warn', message: 'the second factor was not approved in time: IBC closes the gateway (exit 87)' } };
    case 'existing-session-yielded':
    case 'existing-session-waiting':
      return {
        event: { level: 'warn', message: `another session of this user is logged in: IB Gateway gives way (session.competing: ${competing})` },
        block: null,
        // Only policy wait tries again (each try a budgeted login); report leaves it to a person,
        // and a dialog waiting for a human (manual) is one nobody on a virtual display will see.
        stop: competing !== 'wait' || outcome === 'existing-session-waiting' ? 'another session holds the IBKR login' : null,
      };
    case 'login-completed':
    case 'existing-session-continued':
    case 'auto-restart':
      return { ...none, event: { level: 'info', message: `IBC: ${outcome.replace(/-/g, ' ')}` } };
    default:
      return none;
  }
}
