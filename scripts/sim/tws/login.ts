/**
 * The login, as IBC drives it in the gateway's login dialog, with IBC's console lines and exit
 * codes for the ways it goes wrong (IBC 3.x sources: LoginManager, LoginFailedDialogHandler,
 * ExistingSessionDetectedDialogHandler):
 *
 * - wrong credentials: "Login failed", "Cold restart in progress"; IBC leaves a COLDRESTART
 *   flag file and halts with 0, and ibcstart.sh starts it again at once — the same wrong
 *   password again and again, until the account locks (a supervisor must stop this);
 * - another session logged in: the ExistingSessionDetectedAction decides (manual: the dialog
 *   waits for ever; secondary: this gateway closes; primary*: this one continues);
 * - a second factor not approved in time: IBC exits with 1111 (87 in the shell);
 * - an auto-restart (`-Drestart=<dir>` with an `autorestart` file): no credentials, no second
 *   factor, the gateway re-authenticates with what it stored.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GatewayState } from './gateway-state.js';
import type { TradingMode } from './settings.js';
import type { TwsSimUser } from './sim-config.js';

/** IBC's exit code for a second factor that timed out (ErrorCodes.SECOND_FACTOR_AUTH_LOGIN_TIMED_OUT). */
export const EXIT_SECOND_FACTOR_TIMEOUT = 1111;

export interface LoginInput {
  /** Credentials from IBC's command line win over config.ini, as in IBC. */
  username: string;
  password: string;
  mode: TradingMode;
  sessionId: string;
  /** -Drestart=<dir>: the folder holding the autorestart file. */
  restartDir: string | null;
  exit: (code: number) => never;
}

/**
 * Login faults set on the control channel for the next starts: a file in the settings folder,
 * so they outlive the process (IBC's cold restart starts a new one, which must fail the same
 * way, as a real wrong password does). Cleared with `{ fault: null }`.
 */
export type LoginFault = 'wrong-password' | 'second-factor-timeout' | 'existing-session';
export const LOGIN_FAULTS: LoginFault[] = ['wrong-password', 'second-factor-timeout', 'existing-session'];

export function loginFaultFile(settingsDir: string): string {
  return join(settingsDir, '.ibgw-sim-login-fault');
}

export function readLoginFault(settingsDir: string): LoginFault | null {
  try {
    const fault = readFileSync(loginFaultFile(settingsDir), 'utf8').trim() as LoginFault;
    return LOGIN_FAULTS.includes(fault) ? fault : null;
  } catch {
    return null;
  }
}

/** The per-user settings folder the gateway keeps in the settings dir (a stable name per user). */
export function userSettingsDir(settingsDir: string, username: string): string {
  return join(settingsDir, 'ibgw' + createHash('sha256').update(username).digest('hex').slice(0, 16));
}

function succeed(gw: GatewayState, user: TwsSimUser): void {
  gw.username = user.username;
  gw.accounts = [...user.accounts];
  gw.paper = user.paper;
  gw.loginState = 'logged-in';
  gw.ibc('Login has completed');
}

async function autoRestart(gw: GatewayState, input: LoginInput): Promise<boolean> {
  if (!input.restartDir) return false;
  const flag = join(gw.settingsDir, input.restartDir, 'autorestart');
  if (!existsSync(flag)) return false;
  rmSync(flag, { force: true });
  const user = gw.sim.users.find((u) => userSettingsDir(gw.settingsDir, u.username) === join(gw.settingsDir, input.restartDir!));
  if (!user) return false;
  gw.log('ibgw-sim-tws: auto-restart: re-authenticating with the stored session, no second factor');
  await sleep(gw.sim.authDelayMs);
  succeed(gw, user);
  return true;
}

/** `unanswerable`: the fault — nobody will approve, the prompt only times out. */
async function secondFactor(gw: GatewayState, input: LoginInput, unanswerable = false): Promise<void> {
  gw.loginState = 'second-factor';
  gw.ibc('Second Factor Authentication initiated');
  const timeoutMs = gw.sim.secondFactorTimeoutMs ?? gw.settings.secondFactorTimeoutS * 1000;
  const approved = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    if (!unanswerable) gw.approveSecondFactor = () => {
      clearTimeout(timer);
      resolve(true);
    };
  });
  gw.approveSecondFactor = null;
  if (approved) return;
  gw.ibc(`Duration since login: ${Math.round(timeoutMs / 1000)} seconds`);
  gw.ibc(`If login has not completed, IBC will exit in ${gw.settings.exitIntervalS} seconds`);
  gw.ibcError('IBC closing because login has not completed after Second Factor Authentication');
  gw.ibc(`Exiting after error with exit code=${EXIT_SECOND_FACTOR_TIMEOUT}`);
  input.exit(EXIT_SECOND_FACTOR_TIMEOUT);
}

/** False when the login ended the process or will never complete (manual dialogs). */
async function existingSession(gw: GatewayState, input: LoginInput): Promise<boolean> {
  switch (gw.settings.existingSession) {
    case 'manual':
      gw.ibc('User must choose whether to continue with this session (scenario 1)');
      return false;
    case 'secondary':
      gw.ibc('End this session and let the other session proceed (scenario 2)');
      gw.log('ibgw-sim-tws: "Exit Application" clicked: the gateway closes');
      input.exit(0);
      break;
    default:
      gw.ibc("Don't know the type of the other session, so continue this one (scenario 3)");
  }
  return true;
}

export async function runLogin(gw: GatewayState, input: LoginInput): Promise<boolean> {
  await sleep(gw.sim.loginDelayMs);
  gw.loginState = 'logging-in';
  gw.ibc(`Login dialog WINDOW_OPENED: LoginState is LOGGED_OUT`);
  if (await autoRestart(gw, input)) return true;
  gw.ibc('Setting user name');
  gw.ibc('Setting password');
  gw.ibc(`Setting Trading mode = ${input.mode === 'live' ? 'Live' : 'Paper'}`);
  gw.ibc('Login attempt: 1');
  gw.count('login-attempt');
  const fault = readLoginFault(gw.settingsDir);
  const found = gw.sim.users.find((u) => u.username === input.username && u.password === input.password);
  const user = fault === 'wrong-password' ? undefined : found;
  if (!user) {
    gw.ibc('Login failed');
    gw.ibc('Cold restart in progress');
    writeFileSync(join(gw.settingsDir, `COLDRESTART${input.sessionId}`), '');
    gw.ibc('Login has not completed: exiting immediately');
    input.exit(0);
  }
  if ((gw.sim.existingSession || fault === 'existing-session') && !(await existingSession(gw, input))) return false;
  if (user.twoFactor !== 'none' || fault === 'second-factor-timeout') await secondFactor(gw, input, fault === 'second-factor-timeout');
  await sleep(gw.sim.authDelayMs);
  mkdirSync(userSettingsDir(gw.settingsDir, user.username), { recursive: true });
  succeed(gw, user);
  return true;
}
