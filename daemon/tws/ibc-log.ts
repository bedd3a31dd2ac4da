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
